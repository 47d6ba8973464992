// A label as a small chip in its colour (conversation list and details).

export function LabelChip({ name, color }: { name: string; color: string }) {
  return <span className="chip" style={{ borderColor: color }}><span className="chip-dot" style={{ background: color }} aria-hidden="true" />{name}</span>;
}
