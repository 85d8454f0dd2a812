export interface Bar {
  readonly label: string;
  readonly value: number;
  /** Shown after the bar, e.g. "12.3 s". */
  readonly text: string;
  /** Highlight (e.g. the configuration we ship). */
  readonly accent?: boolean;
}

export interface Panel {
  readonly title: string;
  readonly bars: readonly Bar[];
}

const WIDTH = 760;
const LABEL_WIDTH = 230;
const BAR_AREA = 400;
const BAR_HEIGHT = 22;
const GAP = 8;

/** A self-contained SVG of horizontal bar panels (one scale per panel). */
export function renderChart(title: string, panels: readonly Panel[]): string {
  const parts: string[] = [];
  let y = 40;
  parts.push(`<text x="16" y="26" font-size="17" font-weight="bold">${escape(title)}</text>`);
  for (const panel of panels) {
    y += 14;
    parts.push(`<text x="16" y="${y}" font-size="14" font-weight="bold">${escape(panel.title)}</text>`);
    y += 10;
    const max = Math.max(...panel.bars.map((b) => b.value), 1e-9);
    for (const bar of panel.bars) {
      const width = Math.max(2, (bar.value / max) * BAR_AREA);
      parts.push(
        `<text x="${LABEL_WIDTH - 8}" y="${y + 15}" font-size="12" text-anchor="end">${escape(bar.label)}</text>`,
        `<rect x="${LABEL_WIDTH}" y="${y}" width="${width.toFixed(1)}" height="${BAR_HEIGHT}" rx="3" fill="${bar.accent ? "#2b7a3d" : "#7f8fa6"}"/>`,
        `<text x="${(LABEL_WIDTH + width + 6).toFixed(1)}" y="${y + 15}" font-size="12">${escape(bar.text)}</text>`,
      );
      y += BAR_HEIGHT + GAP;
    }
    y += 10;
  }
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${y + 10}" viewBox="0 0 ${WIDTH} ${y + 10}" font-family="Helvetica, Arial, sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    ...parts,
    `</svg>`,
    "",
  ].join("\n");
}

function escape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
