// Line icons drawn inline: counter PCs have no colour-emoji font, and nothing is fetched.
export type IconName = 'card' | 'lock' | 'moon' | 'warning' | 'plug' | 'search' | 'wait' | 'clock' | 'stop';

const PATHS: Record<IconName, string> = {
  card: 'M6 14h52v36H6z M6 24h52 M14 40h14',
  lock: 'M18 28h28v24H18z M24 28v-8a8 8 0 0 1 16 0v8 M32 38v6',
  moon: 'M40 10a22 22 0 1 0 14 34A18 18 0 0 1 40 10z',
  warning: 'M32 8L58 54H6z M32 24v14 M32 44v4',
  plug: 'M24 8v12 M40 8v12 M18 20h28v10a14 14 0 0 1-28 0z M32 44v12',
  search: 'M28 12a14 14 0 1 0 0.01 0z M38 38l14 14',
  wait: 'M18 8h28 M18 56h28 M20 8c0 14 24 14 24 24s-24 10-24 24 M44 8c0 14-24 14-24 24s24 10 24 24',
  clock: 'M32 8a24 24 0 1 0 0.01 0z M32 18v14l10 6',
  stop: 'M22 6h20l16 16v20L42 58H22L6 42V22z M22 22l20 20 M42 22L22 42',
};

export function Icon({ name }: { name: IconName }) {
  return (
    <svg className="icon" viewBox="0 0 64 64" width="64" height="64" aria-hidden="true" focusable="false">
      <path d={PATHS[name]} fill="none" stroke="currentColor" strokeWidth="4" strokeLinecap="round" strokeLinejoin="round" />
    </svg>
  );
}
