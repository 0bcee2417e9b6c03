/**
 * Dataset size against the goal of the fine-tune: the guide's table (fine-tuning-guide.txt, "Dataset
 * size thresholds that hold for 7B–13B LoRA fine-tunes"). `goal` in finetune.json picks the row.
 */
export const GOALS = {
  style: { title: 'Style / tone / output format', min: 200, max: 500 },
  'domain-vocabulary': { title: 'Domain vocabulary adaptation', min: 500, max: 1500 },
  task: { title: 'Task specialisation (extraction, classification)', min: 1000, max: 5000 },
  'instruction-following': { title: 'Instruction following in a new domain', min: 2000, max: 10000 },
} as const;

export type GoalId = keyof typeof GOALS;
export const GOAL_IDS = Object.keys(GOALS) as GoalId[];

export function isGoal(v: unknown): v is GoalId {
  return typeof v === 'string' && Object.hasOwn(GOALS, v); // own keys: "toString" is not a goal
}

export interface GoalStanding {
  readonly goal: GoalId;
  readonly title: string;
  readonly min: number;
  readonly max: number;
  readonly records: number;
  /** below the minimum, inside the range, above its top (where quality gates matter more than volume) */
  readonly standing: 'below' | 'within' | 'above';
  readonly message: string;
}

const n = (x: number) => x.toLocaleString('en-US');

export function goalStanding(goal: GoalId, records: number): GoalStanding {
  const g = GOALS[goal];
  const range = `${n(g.min)}–${n(g.max)}`;
  const standing = records < g.min ? 'below' : records > g.max ? 'above' : 'within';
  const message =
    standing === 'below'
      ? `${n(records)} records for goal "${goal}" (${g.title}): the guide asks for ${range}; ${n(g.min - records)} more to reach the minimum.`
      : standing === 'within'
        ? `${n(records)} records for goal "${goal}" (${g.title}): inside the guide's ${range}.`
        : `${n(records)} records for goal "${goal}" (${g.title}): above the guide's ${range}; beyond this, quality review matters more than volume.`;
  return { goal, title: g.title, min: g.min, max: g.max, records, standing, message };
}

/** The table as one sentence (finetune.json's schema describes `goal` with it). */
export function goalDescription(): string {
  return `What the fine-tune is for; the dataset's size is compared with the guide's range: ${GOAL_IDS.map((g) => `${g} ${n(GOALS[g].min)}–${n(GOALS[g].max)} (${GOALS[g].title})`).join(', ')}.`;
}
