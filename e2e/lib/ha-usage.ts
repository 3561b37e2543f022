import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/**
 * CPU and memory of a process from /proc: utime + stime (clock ticks) from `stat`, VmRSS and RssAnon from
 * `status`. CPU is measured over a window between two samples, RSS is the largest seen during it, and the
 * first and last show growth. RssAnon is the part that is the process's own: the rest of RSS is file pages
 * (node's binary and libraries) that every process of the same image shares.
 */
export interface UsageSample {
  atMs: number;
  cpuTicks: number;
  rssKb: number;
  anonKb: number;
}

export interface Usage {
  cpuPercent: number;
  maxRssMb: number;
  firstRssMb: number;
  lastRssMb: number;
  maxAnonMb: number;
}

/** Fields of /proc/<pid>/stat after the command name, which may itself contain spaces and parentheses. */
export function cpuTicksFromStat(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of the line, 12 and 13 after "pid (comm) ".
  return Number(fields[11]) + Number(fields[12]);
}

export function rssKbFromStatus(status: string, field: 'VmRSS' | 'RssAnon' = 'VmRSS'): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status);
  return m ? Number(m[1]) : 0;
}

export function sampleUsage(pid: number, now = Date.now()): UsageSample {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return {
    atMs: now,
    cpuTicks: cpuTicksFromStat(readFileSync(`/proc/${pid}/stat`, 'utf8')),
    rssKb: rssKbFromStatus(status),
    anonKb: rssKbFromStatus(status, 'RssAnon'),
  };
}

export function usageBetween(samples: readonly UsageSample[], ticksPerSecond: number): Usage {
  const first = samples[0];
  const last = samples[samples.length - 1];
  if (!first || !last || last.atMs <= first.atMs) throw new Error('usage needs two samples at different times');
  const cpuSeconds = (last.cpuTicks - first.cpuTicks) / ticksPerSecond;
  return {
    cpuPercent: (100 * cpuSeconds * 1000) / (last.atMs - first.atMs),
    maxRssMb: Math.max(...samples.map((s) => s.rssKb)) / 1024,
    firstRssMb: first.rssKb / 1024,
    lastRssMb: last.rssKb / 1024,
    maxAnonMb: Math.max(...samples.map((s) => s.anonKb)) / 1024,
  };
}

export function clockTicksPerSecond(): number {
  return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
}

/** Samples `pids` every `everyMs` until stop(), which returns each one's usage over the whole window. */
export function watchUsage(pids: readonly number[], everyMs = 1000): { stop(): Usage[] } {
  const samples = pids.map((pid) => [sampleUsage(pid)]);
  const timer = setInterval(() => pids.forEach((pid, i) => samples[i].push(sampleUsage(pid))), everyMs);
  return {
    stop: () => {
      clearInterval(timer);
      pids.forEach((pid, i) => samples[i].push(sampleUsage(pid)));
      const ticks = clockTicksPerSecond();
      return samples.map((s) => usageBetween(s, ticks));
    },
  };
}
