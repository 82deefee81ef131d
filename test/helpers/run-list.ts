/** One run as the admins' run list (/runs, `cli runs`) shows it: its title line and its state line. */
export function runEntry(list: string, jobId: string): { title: string; state: string } | undefined {
  const lines = list.split('\n');
  const at = lines.findIndex((line) => line.startsWith(`• ${jobId} — `));
  if (at < 0) return undefined;
  return { title: lines[at]!.slice(`• ${jobId} — `.length), state: (lines[at + 1] ?? '').trim() };
}
