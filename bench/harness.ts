/**
 * The bench's plumbing: timing (medians of several runs), result tables with their
 * verdicts, and docs/performance.md, where each suite owns a marked section.
 */

import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';

export interface Table {
  title: string;
  /** What is measured and how, in a sentence or two. */
  method: string;
  columns: string[];
  rows: string[][];
  /** Requirement checks: label, limit, measured, pass. */
  checks: Check[];
  /** Paragraphs after the checks: what the figures mean, why a check fails. */
  notes?: string[];
}

export interface Check {
  requirement: string;
  measured: string;
  pass: boolean;
}

export interface SuiteResult {
  suite: string;
  tables: Table[];
}

export async function median(runs: number, work: () => Promise<number> | number): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) samples.push(await work());
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)]!;
}

/** Milliseconds taken by `work`. */
export async function timeMs(work: () => Promise<unknown> | unknown): Promise<number> {
  const start = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

export const fmt = {
  ms: (v: number) => `${v < 10 ? v.toFixed(2) : v.toFixed(0)} ms`,
  rate: (perSecond: number) => `${Math.round(perSecond).toLocaleString('en-US')}/s`,
  ratio: (v: number) => `${v.toFixed(2)}×`,
  pct: (v: number) => `${(v * 100).toFixed(0)}%`,
  int: (v: number) => v.toLocaleString('en-US'),
  mb: (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`,
};

export function printTable(table: Table): void {
  const rows = [table.columns, ...table.rows];
  const widths = table.columns.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  console.log(`\n${table.title}`);
  rows.forEach((row, index) => {
    console.log(row.map((cell, i) => cell.padEnd(widths[i]!)).join('  '));
    if (index === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  });
  for (const check of table.checks) {
    console.log(`${check.pass ? 'PASS' : 'FAIL'}  ${check.requirement}: ${check.measured}`);
  }
  for (const note of table.notes ?? []) console.log(`note: ${note}`);
}

function markdown(table: Table): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [
    `### ${table.title}`,
    '',
    table.method,
    '',
    line(table.columns),
    line(table.columns.map(() => '---')),
    ...table.rows.map(line),
    '',
    ...table.checks.map((c) => `- ${c.pass ? '✅' : '❌'} ${c.requirement}: **${c.measured}**`),
    '',
    ...(table.notes ?? []).flatMap((note) => [note, '']),
  ].join('\n');
}

/** Replaces each suite's section of docs/performance.md, leaving the others as they were. */
export function writePerformanceDoc(repoRoot: string, results: SuiteResult[]): void {
  const path = join(repoRoot, 'docs/performance.md');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    text = '# Performance\n\nFigures written by `npm run bench`; each section is replaced when its suite runs.\n';
  }
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${fmt.mb(totalmem())} RAM, Node ${process.version}`;
  for (const result of results) {
    const begin = `<!-- bench:${result.suite} -->`;
    const end = `<!-- /bench:${result.suite} -->`;
    const section = [
      begin,
      `## ${result.suite}`,
      '',
      `Measured ${new Date().toISOString().slice(0, 10)} on ${machine}.`,
      '',
      ...result.tables.map(markdown),
      end,
    ].join('\n');
    const at = text.indexOf(begin);
    text =
      at >= 0
        ? text.slice(0, at) + section + text.slice(text.indexOf(end) + end.length)
        : `${text.trimEnd()}\n\n${section}\n`;
  }
  writeFileSync(path, text);
}
