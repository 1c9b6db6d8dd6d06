/**
 * Mermaid's own parser in Node, for the charts pinback writes. The `mermaid` package (a
 * devDependency, never bundled) parses a diagram without a browser, but sanitizes each label with
 * DOMPurify, which in Node has no DOM and so no `sanitize`: labels pass through as written here.
 * What is checked is that Mermaid parses the text and what it read from it, not the sanitizing
 * (pinback's labels hold no markup to sanitize: src/chart/mermaid.ts `label`).
 */
import DOMPurify from 'dompurify';

/** What Mermaid's xychart database holds after a parse (mermaid's XYChartData, the parts checked). */
export interface ParsedXyChart {
  title: string;
  xAxis:
    | { type: 'linear'; title: string; min: number; max: number }
    | { type: 'band'; title: string; categories: string[] };
  yAxis: { type: 'linear'; title: string; min: number; max: number };
  plots: {
    type: 'line' | 'bar';
    title: string;
    data: [string, number][];
    strokeFill?: string;
    fill?: string;
  }[];
}

interface XyChartDb {
  getXYChartData(): Omit<ParsedXyChart, 'title'>;
  getDiagramTitle(): string;
  getAccTitle(): string;
  getAccDescription(): string;
}

interface MermaidApi {
  parse(text: string): Promise<{ diagramType: string }>;
  mermaidAPI: { getDiagramFromText(text: string): Promise<{ db: unknown }> };
}

let loaded: Promise<MermaidApi> | undefined;

function mermaid(): Promise<MermaidApi> {
  const purify = DOMPurify as unknown as Record<string, unknown>;
  if (typeof purify.sanitize !== 'function') {
    purify.sanitize = (text: string) => text;
    purify.addHook = () => {};
    purify.removeHook = () => {};
    purify.removeHooks = () => {};
  }
  loaded ??= import('mermaid').then((m) => m.default as unknown as MermaidApi);
  return loaded;
}

/** Parses Mermaid text as mermaid.js does: rejects with its parse error. */
export async function parseMermaid(text: string): Promise<{ diagramType: string }> {
  return (await mermaid()).parse(text);
}

/** Parses an xychart and returns what Mermaid read: axes, titles and each plot's points. */
export async function parseXyChart(
  text: string,
): Promise<ParsedXyChart & { accTitle: string; accDescription: string }> {
  const m = await mermaid();
  const { diagramType } = await m.parse(text);
  if (diagramType !== 'xychart') throw new Error(`not an xychart but ${diagramType}`);
  const { db } = await m.mermaidAPI.getDiagramFromText(text);
  const x = db as XyChartDb;
  return {
    ...x.getXYChartData(),
    title: x.getDiagramTitle(),
    accTitle: x.getAccTitle(),
    accDescription: x.getAccDescription(),
  };
}

/** The ```mermaid blocks of a Markdown text. */
export function mermaidBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```mermaid\n([\s\S]*?)\n```$/gm)].map((m) => m[1]!);
}
