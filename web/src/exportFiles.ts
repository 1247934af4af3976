import { percent } from './format';
import type { Cell } from './scorecardTable';

/** Offers a file to the browser's download (no server round trip: the data is already on the page). */
export function download(name: string, blob: Blob) {
  const url = URL.createObjectURL(blob);
  const link = Object.assign(document.createElement('a'), { href: url, download: name });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

const cellText = (cell: Cell): string =>
  'text' in cell ? cell.text : 'count' in cell ? String(cell.count) : 'rate' in cell ? (cell.rate === null ? '' : percent(cell.rate)) : cell.points === null ? '' : (cell.points * 100).toFixed(1);

const csvField = (value: string): string => (/[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);

/** CSV with a byte-order mark so Excel opens the Chinese text as UTF-8. */
export function toCsv(header: string[], rows: Cell[][]): Blob {
  const lines = [header.map(csvField).join(','), ...rows.map((r) => r.map((c) => csvField(cellText(c))).join(','))];
  return new Blob(['\uFEFF' + lines.join('\r\n') + '\r\n'], { type: 'text/csv;charset=utf-8' });
}

/** An .xlsx with numbers kept as numbers: rates formatted as percentages, changes in points. exceljs loads on demand. */
export async function toXlsx(sheetName: string, header: string[], rows: Cell[][]): Promise<Blob> {
  const { default: ExcelJS } = await import('exceljs');
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'liandong';
  const sheet = workbook.addWorksheet(sheetName, { views: [{ state: 'frozen', xSplit: 1, ySplit: 1 }] });
  sheet.addRow(header).font = { bold: true };
  for (const row of rows) {
    const added = sheet.addRow(row.map((c) => ('text' in c ? c.text : 'count' in c ? c.count : 'rate' in c ? c.rate : c.points === null ? null : Math.round(c.points * 1000) / 10)));
    row.forEach((c, i) => {
      if ('rate' in c) added.getCell(i + 1).numFmt = '0.0%';
      if ('points' in c) added.getCell(i + 1).numFmt = '+0.0;-0.0;0.0';
    });
  }
  sheet.columns.forEach((column, i) => (column.width = i === 0 ? 28 : Math.max(10, Math.min(24, (header[i]?.length ?? 8) * 2))));
  const buffer = await workbook.xlsx.writeBuffer();
  return new Blob([buffer], { type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' });
}
