import type { Netns } from './netns';

/**
 * Runs `body` with the lines of `iptables-save`/`ip6tables-save` (both backends) for which `strip` is true
 * removed from the namespace's tables, as on a pod without those rules, and puts the saved tables back
 * afterwards, also when `body` fails. Fails when no line matched: a control that strips nothing proves nothing.
 */
export async function withRulesStripped<T>(ns: Netns, strip: (line: string) => boolean, body: () => Promise<T>): Promise<T> {
  const saved: { restore: string; tables: string }[] = [];
  try {
    for (const backend of ['legacy', 'nft']) {
      for (const family of ['iptables', 'ip6tables']) {
        const save = await ns.exec(`${family}-${backend}-save`, []);
        if (save.code !== 0) continue;
        const lines = save.stdout.split('\n');
        if (!lines.some((line) => line.startsWith('-A ') && strip(line))) continue;
        saved.push({ restore: `${family}-${backend}-restore`, tables: save.stdout });
        await restore(ns, `${family}-${backend}-restore`, lines.filter((line) => !(line.startsWith('-A ') && strip(line))).join('\n'));
      }
    }
    if (saved.length === 0) throw new Error(`${ns.name}: no rule to strip`);
    return await body();
  } finally {
    for (const { restore: command, tables } of saved) await restore(ns, command, tables);
  }
}

async function restore(ns: Netns, command: string, tables: string): Promise<void> {
  const r = await ns.exec('sh', ['-c', `printf '%s' "$1" | ${command}`, 'sh', tables]);
  if (r.code !== 0) throw new Error(`${ns.name}: ${command} failed: ${r.stderr.trim()}`);
}
