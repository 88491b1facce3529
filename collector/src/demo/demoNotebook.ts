/**
 * The notebook the demo class works through: its cells, and the mistakes students make in them
 * (each a real Python error, so the error clusters group them as a class's would be grouped).
 */

export interface DemoMistake {
  name: string;
  message: string;
  /** The cell as the student got it wrong (the code her failing run sent). */
  code: string;
  /** How often a first try of this cell fails (0..1). */
  chance: number;
}

export interface DemoCell {
  code: string;
  output: string;
  mistake?: DemoMistake;
}

export const DEMO_CELLS: readonly DemoCell[] = [
  { code: 'import pandas as pd', output: '' },
  { code: 'df = pd.read_csv("weather.csv")', output: '', mistake: { name: 'FileNotFoundError', message: "[Errno 2] No such file or directory: 'wheather.csv'", code: 'df = pd.read_csv("wheather.csv")', chance: 0.15 } },
  { code: 'df.head()', output: '        date  temp_f  rain_mm\n0 2026-01-01    41.0      0.0\n1 2026-01-02    39.2      3.1' },
  { code: 'df["temp_c"] = (df["temp_f"] - 32) * 5 / 9', output: '', mistake: { name: 'KeyError', message: "'temp_F'", code: 'df["temp_c"] = (df["temp_F"] - 32) * 5 / 9', chance: 0.3 } },
  { code: 'df["month"] = pd.to_datetime(df["date"]).dt.month', output: '' },
  { code: 'import matplotlib.pyplot as plt\nmonthly = df.groupby("month")["temp_c"].mean()\nplt.plot(monthly)', output: '[<matplotlib.lines.Line2D at 0x7f3c>]', mistake: { name: 'NameError', message: "name 'plt' is not defined", code: 'monthly = df.groupby("month")["temp_c"].mean()\nplt.plot(monthly)', chance: 0.45 } },
  { code: 'hottest = monthly.idxmax()\nprint(f"Hottest month: {hottest}")', output: 'Hottest month: 7' },
  { code: 'rainy = df[df["rain_mm"] > 5]\nlen(rainy)', output: '41', mistake: { name: 'TypeError', message: "'>' not supported between instances of 'str' and 'int'", code: 'rainy = df[df["rain_mm"] > "5"]\nlen(rainy)', chance: 0.2 } },
  { code: 'def to_fahrenheit(c):\n    return c * 9 / 5 + 32', output: '' },
  { code: 'assert to_fahrenheit(100) == 212', output: '', mistake: { name: 'AssertionError', message: '', code: 'assert to_fahrenheit(100) == 212', chance: 0.25 } },
];

/** The traceback a failing run of cell `index` shows (what the student's kernel would print). */
export function tracebackOf(index: number, mistake: DemoMistake): string {
  const line = mistake.code.split('\n').length;
  return `Traceback (most recent call last):\n  Cell In[${index + 1}], line ${line}\n${mistake.name}${mistake.message ? `: ${mistake.message}` : ''}`;
}
