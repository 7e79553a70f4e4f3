import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Clock ticks per second of utime/stime in /proc/<pid>/stat (100 on Linux, asked once). */
let ticksPerSecond: number | undefined;
function clkTck(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

export interface ProcSample {
  pid: number;
  /** user + system CPU time since the process started, in milliseconds (10 ms resolution). */
  cpuMs: number;
  /** Resident set size now and its peak (VmHWM), in bytes. */
  rss: number;
  rssPeak: number;
}

/** Reads CPU time from /proc/<pid>/stat and memory from /proc/<pid>/status; null once the process is gone. */
export function sampleProc(pid: number): ProcSample | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count fields after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
    return { pid, cpuMs: ((utime + stime) * 1000) / clkTck(), rss: kb('VmRSS'), rssPeak: kb('VmHWM') };
  } catch {
    return null;
  }
}

/** Sum over several processes (e.g. two Pychat instances); missing processes count as zero. */
export function sampleAll(pids: number[]): { cpuMs: number; rss: number; rssPeak: number } {
  let cpuMs = 0;
  let rss = 0;
  let rssPeak = 0;
  for (const pid of pids) {
    const s = sampleProc(pid);
    if (s) {
      cpuMs += s.cpuMs;
      rss += s.rss;
      rssPeak += s.rssPeak;
    }
  }
  return { cpuMs, rss, rssPeak };
}

/** Samples RSS every `intervalMs` and keeps the maximum, for phases shorter than a process lifetime. */
export class RssWatcher {
  #timer: NodeJS.Timeout | undefined;
  max = 0;

  constructor(private readonly pids: number[]) {}

  start(intervalMs = 250): void {
    this.max = sampleAll(this.pids).rss;
    this.#timer = setInterval(() => {
      this.max = Math.max(this.max, sampleAll(this.pids).rss);
    }, intervalMs);
    this.#timer.unref();
  }

  stop(): number {
    clearInterval(this.#timer);
    this.max = Math.max(this.max, sampleAll(this.pids).rss);
    return this.max;
  }
}
