#!/usr/bin/env node
/**
 * Summarizes a V8 `.cpuprofile` (from `--profile`, i.e. `node --cpu-prof`): where the server's CPU went,
 * by library and by function (self time), and the heaviest Pychat functions by inclusive time.
 *
 *   node dist/profile-summary.js bench-results/profiles/<run>/<scenario>-<backend>/CPU.*.cpuprofile [top]
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** Which library (or part of Node) a frame belongs to. */
export function categoryOf(url: string, functionName: string): string {
  if (!url) {
    return functionName.startsWith('(') ? functionName : 'native/builtin';
  }
  const pkg =
    /node_modules\/\.pnpm\/(@?[^@/]+(?:\+[^@/]+)?)@/.exec(url)?.[1] ?? /node_modules\/(@?[^/]+)/.exec(url)?.[1];
  if (pkg) {
    return pkg.replace('+', '/');
  }
  if (url.includes('/packages/backend/')) {
    return 'pychat backend';
  }
  if (url.includes('/packages/protocol/')) {
    return 'pychat protocol';
  }
  if (url.startsWith('node:')) {
    return 'node core';
  }
  return 'other';
}

export function summarizeProfile(profile: Profile, top = 25): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) {
    for (const child of node.children ?? []) {
      parent.set(child, node.id);
    }
  }
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const totalUs = [...self.values()].reduce((a, b) => a + b, 0);
  const busyUs = [...self.entries()]
    .filter(([id]) => byId.get(id)?.callFrame.functionName !== '(idle)')
    .reduce((n, [, us]) => n + us, 0);
  const label = (n: ProfileNode) =>
    `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url ? `${basename(n.callFrame.url)}:${n.callFrame.lineNumber + 1}` : ''}`.trim();

  const byCategory = new Map<string, number>();
  const byFunction = new Map<string, number>();
  const inclusive = new Map<string, number>();
  for (const [id, us] of self) {
    const node = byId.get(id);
    if (!node || node.callFrame.functionName === '(idle)') {
      continue;
    }
    const category = categoryOf(node.callFrame.url, node.callFrame.functionName);
    byCategory.set(category, (byCategory.get(category) ?? 0) + us);
    const key = `${label(node)} [${category}]`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + us);
    // Inclusive time of Pychat's own functions: walk up the stack once per distinct function.
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const frame = byId.get(cur);
      if (frame && frame.callFrame.url.includes('/packages/backend/')) {
        const name = label(frame);
        if (!seen.has(name)) {
          seen.add(name);
          inclusive.set(name, (inclusive.get(name) ?? 0) + us);
        }
      }
    }
  }
  const pct = (us: number) => `${((us / busyUs) * 100).toFixed(1).padStart(5)} %`;
  const lines: string[] = [];
  lines.push(`profile: ${(totalUs / 1e6).toFixed(1)} s sampled, ${(busyUs / 1e6).toFixed(1)} s busy (not idle)`);
  lines.push('', 'busy time by library (self):');
  for (const [name, us] of [...byCategory].sort((a, b) => b[1] - a[1]).slice(0, 15)) {
    lines.push(`  ${pct(us)}  ${name}`);
  }
  lines.push('', `top ${top} functions (self):`);
  for (const [name, us] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    lines.push(`  ${pct(us)}  ${name}`);
  }
  lines.push('', `top ${top} Pychat functions (inclusive):`);
  for (const [name, us] of [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    lines.push(`  ${pct(us)}  ${name}`);
  }
  return lines.join('\n');
}

if (require.main === module) {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: profile-summary <file.cpuprofile> [top]');
    process.exit(2);
  }
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  console.log(summarizeProfile(profile, Number(process.argv[3] ?? 25)));
}
