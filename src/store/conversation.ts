/**
 * The history key of a direct conversation: the same for both directions, so a web user who
 * writes to bob and reads bob's answers pages through one conversation.
 */
export function directConversation(a: string, b: string): string {
  return a < b ? `dm:${a} ${b}` : `dm:${b} ${a}`;
}
