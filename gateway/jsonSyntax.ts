/**
 * A JSON syntax error in Chinese. The engine's own message is English ("Unexpected token } in JSON at position
 * 7"); only where it points is kept, so a clerk can find the spot.
 */
export function jsonSyntaxMessage(error: Error): string {
  const position = /position (\d+)/.exec(error.message)?.[1];
  const lineColumn = /line (\d+) column (\d+)/.exec(error.message);
  if (/Unexpected end of JSON input/i.test(error.message)) return '内容不完整（JSON 提前结束）';
  if (lineColumn) return `第 ${lineColumn[1]} 行第 ${lineColumn[2]} 列附近不是合法的 JSON`;
  if (position !== undefined) return `第 ${Number(position) + 1} 个字符附近不是合法的 JSON`;
  const token = /Unexpected token '(.+?)'/.exec(error.message)?.[1];
  if (token !== undefined) return `不是合法的 JSON：出现了意外的字符「${token}」`;
  return '不是合法的 JSON';
}
