import { AlignmentType, BorderStyle, Document, Footer, HeadingLevel, Packer, PageNumber, Paragraph, Table, TableCell, TableRow, TextRun, WidthType } from 'docx';
import { dateTime } from './format';
import type { I18n } from './i18n';
import type { ActionItem, Meeting } from './model';

/**
 * 会议材料 as a Word document, built in the browser from the dossier already on screen (docs/decisions.md): the
 * meeting's facts, the agenda with each case's resolution and timeline, the action items and those carried over,
 * with the page number and the print date in every page's footer — the same content as the A4 print.
 */
export function dossierDocx(meeting: Meeting, i18n: I18n, printedOn: string): Promise<Blob> {
  const { t, code, lang } = i18n;
  const font = lang === 'zh' ? 'SimSun' : 'Times New Roman';
  const fact = (label: string, value: string) => new Paragraph({ children: [new TextRun({ text: `${label}：`, bold: true }), new TextRun(value)] });
  const cell = (text: string, bold = false) => new TableCell({ children: [new Paragraph({ children: [new TextRun({ text, bold })] })] });
  const itemTable = (items: ActionItem[]) =>
    items.length === 0
      ? [new Paragraph(t('none'))]
      : [
          new Table({
            width: { size: 100, type: WidthType.PERCENTAGE },
            rows: [
              new TableRow({ tableHeader: true, children: [t('text'), t('owner'), t('dueDate'), t('status')].map((h) => cell(h, true)) }),
              ...items.map(
                (a) =>
                  new TableRow({
                    children: [cell(a.text), cell(a.owner.name), cell(a.dueDate), cell(a.completedAt ? `${t('completed')} ${dateTime(a.completedAt, lang)}` : a.overdue ? t('overdue') : t('open'))],
                  }),
              ),
            ],
          }),
        ];
  const agenda = meeting.agenda.flatMap((item, i) => [
    new Paragraph({ heading: HeadingLevel.HEADING_3, children: [new TextRun(`${i + 1}. ${item.case.title}`), new TextRun({ text: `（${code('reason', item.reason)}）` })] }),
    ...(item.case.caseNumber ? [new Paragraph(item.case.caseNumber)] : []),
    fact(t('resolution'), item.resolution ?? t('noResolution')),
    new Paragraph({ children: [new TextRun({ text: `${t('timeline')}：`, bold: true })] }),
    ...item.case.timeline.map((e) => new Paragraph({ bullet: { level: 0 }, children: [new TextRun(`${dateTime(e.time, lang)}  ${e.agency?.name ?? ''} ${e.summary}`)] })),
  ]);
  const footer = new Footer({
    children: [
      new Paragraph({
        alignment: AlignmentType.CENTER,
        border: { top: { style: BorderStyle.SINGLE, size: 4, color: '999999', space: 4 } },
        children: [
          new TextRun(`${meeting.title} · ${t('printedOn')} ${printedOn} · `),
          new TextRun({ children: [lang === 'zh' ? '第 ' : 'Page ', PageNumber.CURRENT, lang === 'zh' ? ' 页 / 共 ' : ' of ', PageNumber.TOTAL_PAGES, lang === 'zh' ? ' 页' : ''] }),
        ],
      }),
    ],
  });
  const doc = new Document({
    creator: t('appName'),
    title: `${meeting.title} ${t('docxTitleSuffix')}`,
    styles: { default: { document: { run: { font, size: 22 } } } },
    sections: [
      {
        properties: { page: { size: { width: 11906, height: 16838 } } }, // A4 in twentieths of a point
        footers: { default: footer },
        children: [
          new Paragraph({ heading: HeadingLevel.TITLE, alignment: AlignmentType.CENTER, children: [new TextRun(meeting.title)] }),
          new Paragraph({ alignment: AlignmentType.CENTER, children: [new TextRun(t('docxTitleSuffix'))] }),
          fact(t('status'), code('meetingStatus', meeting.status)),
          fact(t('scheduledAt'), dateTime(meeting.scheduledAt, lang)),
          fact(t('organizer'), meeting.organizer.name),
          fact(t('participants'), meeting.participants.map((a) => a.name).join('、')),
          ...(meeting.attendees.length > 0 ? [fact(t('attendees'), meeting.attendees.map((a) => a.name).join('、'))] : []),
          new Paragraph({ heading: HeadingLevel.HEADING_2, children: [new TextRun(t('agenda'))] }),
          ...(agenda.length > 0 ? agenda : [new Paragraph(t('none'))]),
          new Paragraph({ heading: HeadingLevel.HEADING_2, children: [new TextRun(t('actionItems'))] }),
          ...itemTable(meeting.actionItems),
          new Paragraph({ heading: HeadingLevel.HEADING_2, children: [new TextRun(t('carriedOver'))] }),
          ...itemTable(meeting.carriedOver),
        ],
      },
    ],
  });
  return Packer.toBlob(doc);
}
