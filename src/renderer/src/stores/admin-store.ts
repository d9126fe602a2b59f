// The admin console (issue 6) for the information-protection manager and the system administrator
// working at this terminal. The renderer decides nothing here either: main opens the admin session
// with the signed-in person's card, checks every input against the action's schema and the server
// checks the role again. This store only offers what the session's `permissions` list, forwards
// the input, shows every answer (the server's Japanese message as it is) and reloads what changed.
//
// Privacy:
// - everything it holds (roster, cards, terminals, stops, results) is dropped at every lock,
//   sign-out or change of operator (any snapshot that is not 'working' for the same person), as
//   main drops the admin session then too;
// - a temporary password or a terminal credential main hands back is held only while its one-time
//   dialog is open (`secret`), never put in a result line, and gone when the dialog closes.
// I/O is injected: the contract client.
import { makeAutoObservable, runInAction } from 'mobx';
import type { z } from 'zod';
import type { TerminalClient, TerminalSnapshot } from '../../../shared/contract';
import { ADMIN_ROUTES, type AdminConsoleAction, type AdminSessionView } from '../../../shared/admin-routes';

type Data<A extends AdminConsoleAction> = z.infer<(typeof ADMIN_ROUTES)[A]['response']>;
export type AdminOperatorRow = Data<'roster.view'>['operators'][number];
export type AdminCardRow = AdminOperatorRow['cards'][number];
export type PrivilegeReview = Data<'privilege-review.view'>;
export type AdminExceptionRow = Data<'calendar.view'>['exceptions'][number];
export type AdminStopRow = Data<'emergency-stop.view'>['stops'][number];
export type AdminTerminalRow = Data<'terminals.view'>['terminals'][number];

export type AdminSection = 'roster' | 'review' | 'cards' | 'calendar' | 'stops' | 'terminals' | 'spot';

/** The sections in tab order, each with the permission that shows it. */
export const ADMIN_SECTIONS: readonly { id: AdminSection; label: string; needs: AdminConsoleAction }[] = [
  { id: 'roster', label: '操作者名簿', needs: 'roster.view' },
  { id: 'review', label: '権限の見直し', needs: 'privilege-review.view' },
  { id: 'cards', label: 'カード発行', needs: 'cards.issue' },
  { id: 'calendar', label: '開庁日の例外', needs: 'calendar.view' },
  { id: 'stops', label: '緊急停止', needs: 'emergency-stop.view' },
  { id: 'terminals', label: '端末', needs: 'terminals.view' },
  // 点検 (issue 5): its own sub-sections and store (spot-check-store.ts).
  { id: 'spot', label: '点検', needs: 'audit.log.view' },
];

/** A change ready to send: what, to whom, and how to tell the person before and after. */
export interface ActionPlan {
  action: AdminConsoleAction;
  target?: string;
  input: Record<string, unknown>;
  /** Heading of the confirmation, e.g. 'カードを失効させます'. */
  title: string;
  /** What will happen, one line each (shown in the confirmation). */
  summary: string[];
  /** Destructive or far-reaching: asked again before it is sent. */
  confirm: boolean;
  /** Takes something away (a card, a person, a terminal, the counter itself): the confirmation is red. */
  danger?: boolean;
  confirmLabel?: string;
  /** The result line on success. */
  done: string;
  /** What main hands back once: shown in the one-time dialog. */
  secret?: 'temporary-password' | 'credential';
  /** Whose temporary password (for the one-time dialog). */
  subject?: string;
}

export type FieldErrors = Partial<Record<string, string>>;
export type Built = { ok: true; plan: ActionPlan } | { ok: false; errors: FieldErrors };

/** A modal opened from a row or a section button. */
export type AdminDialog =
  | { kind: 'release-lockout' | 'set-temporary' | 'require-change' | 'retire-operator' | 'change-operator'; operator: AdminOperatorRow }
  | { kind: 'revoke-card'; operator: AdminOperatorRow; card: AdminCardRow }
  | { kind: 'add-operator' }
  | { kind: 'withdraw-exception'; exception: AdminExceptionRow }
  | { kind: 'clear-stop'; stop: AdminStopRow }
  | { kind: 'register-terminal' }
  | { kind: 'retire-terminal'; terminal: AdminTerminalRow };

export interface AdminSecret {
  kind: 'temporary-password' | 'credential';
  title: string;
  /** Whose password / which terminal. */
  subject: string;
  value: string;
}

export interface AdminOutcome {
  ok: boolean;
  text: string;
}

export const REASON_MAX = 200;
const CONTROL = /[\u0000-\u001f\u007f]/;

/** 理由: required, one line, ≤ 200 characters. Null when fine. */
export function reasonProblem(reason: string, what = '理由'): string | null {
  if (reason.trim() === '') return `${what}を入力してください。`;
  if (reason.length > REASON_MAX) return `${what}は${REASON_MAX}文字以内にしてください（${reason.length}文字）。`;
  if (CONTROL.test(reason)) return `${what}に改行や制御文字は使えません。`;
  return null;
}

export interface AdminStoreDeps {
  api: Pick<TerminalClient, 'adminOpen' | 'adminCall' | 'adminClose'>;
}

export class AdminStore {
  /** The console is shown instead of the counter work. */
  visible = false;
  opening = false;
  /** Why the session could not be opened (Japanese, as main / the server said it). */
  openError: string | null = null;
  session: AdminSessionView | null = null;
  section: AdminSection = 'roster';
  loading = false;
  loadError: string | null = null;

  roster: AdminOperatorRow[] | null = null;
  rosterAt: string | null = null;
  selectedOperatorId: string | null = null;
  review: PrivilegeReview | null = null;
  unusedDays = 90;
  exceptions: AdminExceptionRow[] | null = null;
  stops: AdminStopRow[] | null = null;
  terminals: AdminTerminalRow[] | null = null;
  terminalsAt: string | null = null;

  dialog: AdminDialog | null = null;
  /** A change waiting for "yes" in the confirmation. */
  pending: ActionPlan | null = null;
  formErrors: FieldErrors = {};
  /** The server's refusal of the change being made (shown in its form). */
  actionError: string | null = null;
  busy = false;
  /** The last change's result (success or the server's message). */
  outcome: AdminOutcome | null = null;
  /** Shown once; gone when its dialog closes. */
  secret: AdminSecret | null = null;
  /** Counts the changes done: a section's inline form starts empty again after each. */
  completed = 0;

  private operatorId: string | null = null;
  /** Bumped on every reset: an answer that finds it changed is dropped. */
  private generation = 0;

  constructor(private readonly d: AdminStoreDeps) {
    makeAutoObservable<AdminStore, 'd' | 'operatorId' | 'generation'>(this, { d: false, operatorId: false, generation: false });
  }

  /** Offered at all: a manager or a system administrator is working here. */
  static offeredTo(snapshot: TerminalSnapshot | null): boolean {
    return !!snapshot && snapshot.phase === 'working' && !!snapshot.operator && snapshot.operator.role !== 'operator';
  }

  /** Follows main's snapshot: anything but 'working' for the same person forgets everything. */
  receive(snapshot: TerminalSnapshot): void {
    const working = snapshot.phase === 'working' && snapshot.operator ? snapshot.operator.id : null;
    if (working !== this.operatorId) {
      this.reset();
      this.operatorId = working;
    }
  }

  private reset(): void {
    this.generation++;
    this.visible = false;
    this.opening = false;
    this.openError = null;
    this.session = null;
    this.section = 'roster';
    this.loading = false;
    this.loadError = null;
    this.roster = null;
    this.rosterAt = null;
    this.selectedOperatorId = null;
    this.review = null;
    this.exceptions = null;
    this.stops = null;
    this.terminals = null;
    this.terminalsAt = null;
    this.closeDialog();
    this.busy = false;
    this.outcome = null;
    this.secret = null;
  }

  may(action: AdminConsoleAction): boolean {
    return !!this.session?.permissions.includes(action);
  }

  get sections() {
    return ADMIN_SECTIONS.filter((s) => this.may(s.needs));
  }

  get selectedOperator(): AdminOperatorRow | null {
    return this.roster?.find((op) => op.id === this.selectedOperatorId) ?? null;
  }

  /** Shows the console, opening the admin session with the card when there is none. */
  async show(): Promise<void> {
    this.visible = true;
    if (this.session || this.opening) return;
    await this.openSession();
  }

  hide(): void {
    this.visible = false;
    this.closeDialog();
  }

  async openSession(): Promise<void> {
    const generation = this.generation;
    this.opening = true;
    this.openError = null;
    const result = await this.d.api.adminOpen({});
    if (generation !== this.generation) return;
    runInAction(() => {
      this.opening = false;
      if (!result.ok) {
        this.openError = result.message;
        return;
      }
      this.session = result.session;
      const first = this.sections[0];
      if (first && !this.sections.some((s) => s.id === this.section)) this.section = first.id;
    });
    if (this.session) await this.load();
  }

  /** Ends the admin session and goes back to the counter work; the data goes with it. */
  async end(): Promise<void> {
    const operatorId = this.operatorId;
    this.reset();
    this.operatorId = operatorId;
    await this.d.api.adminClose({});
  }

  async selectSection(section: AdminSection): Promise<void> {
    if (this.section === section && !this.loadError) return;
    this.section = section;
    this.outcome = null;
    this.closeDialog();
    await this.load();
  }

  selectOperator(id: string | null): void {
    this.selectedOperatorId = id;
  }

  setUnusedDays(days: number): void {
    this.unusedDays = days;
  }

  /** Reads what the current section shows from the server. */
  async load(): Promise<void> {
    if (!this.session) return;
    const generation = this.generation;
    const section = this.section;
    this.loading = true;
    this.loadError = null;
    let problem: string | null = null;
    const fetch = async <A extends AdminConsoleAction>(action: A, input: Record<string, unknown> = {}): Promise<Data<A> | null> => {
      const answer = await this.d.api.adminCall({ action, input });
      if (!answer.ok) {
        problem ??= answer.message;
        return null;
      }
      const parsed = ADMIN_ROUTES[action].response.safeParse(answer.data);
      if (!parsed.success) {
        problem ??= '中央サーバーの応答を読み取れませんでした。';
        return null;
      }
      return parsed.data as Data<A>;
    };
    try {
      switch (section) {
        case 'roster':
        case 'cards': {
          const data = await fetch('roster.view');
          if (data && generation === this.generation) runInAction(() => ((this.roster = data.operators), (this.rosterAt = data.generatedAt)));
          break;
        }
        case 'review': {
          const data = await fetch('privilege-review.view', { unusedDays: this.unusedDays });
          if (data && generation === this.generation) runInAction(() => (this.review = data));
          break;
        }
        case 'calendar': {
          const data = await fetch('calendar.view');
          if (data && generation === this.generation) runInAction(() => (this.exceptions = data.exceptions));
          break;
        }
        case 'stops':
        case 'terminals': {
          const [stops, terminals] = await Promise.all([this.may('emergency-stop.view') ? fetch('emergency-stop.view') : null, this.may('terminals.view') ? fetch('terminals.view') : null]);
          if (generation !== this.generation) break;
          runInAction(() => {
            if (stops) this.stops = stops.stops;
            if (terminals) {
              this.terminals = terminals.terminals;
              this.terminalsAt = terminals.generatedAt;
            }
          });
          break;
        }
      }
    } finally {
      if (generation === this.generation) {
        runInAction(() => {
          this.loading = false;
          this.loadError = problem;
        });
      }
    }
  }

  openDialog(dialog: AdminDialog): void {
    this.closeDialog();
    this.outcome = null;
    this.dialog = dialog;
  }

  closeDialog(): void {
    this.dialog = null;
    this.pending = null;
    this.formErrors = {};
    this.actionError = null;
  }

  /** A form was submitted: shows its problems, asks for confirmation, or sends it. */
  async propose(built: Built): Promise<boolean> {
    this.actionError = null;
    if (!built.ok) {
      this.formErrors = built.errors;
      return false;
    }
    this.formErrors = {};
    if (built.plan.confirm) {
      this.pending = built.plan;
      return false;
    }
    return this.execute(built.plan);
  }

  /** "Back" in the confirmation: the form stays as it was. */
  cancelPending(): void {
    this.pending = null;
  }

  async confirmPending(): Promise<boolean> {
    const plan = this.pending;
    if (!plan) return false;
    return this.execute(plan);
  }

  private async execute(plan: ActionPlan): Promise<boolean> {
    if (this.busy) return false;
    const generation = this.generation;
    this.busy = true;
    this.actionError = null;
    const answer = await this.d.api.adminCall(plan.target === undefined ? { action: plan.action, input: plan.input } : { action: plan.action, target: plan.target, input: plan.input });
    if (generation !== this.generation) return false;
    runInAction(() => {
      this.busy = false;
      if (!answer.ok) {
        this.pending = null;
        this.actionError = answer.message;
        this.outcome = { ok: false, text: answer.message };
        return;
      }
      this.dialog = null;
      this.pending = null;
      this.formErrors = {};
      this.outcome = { ok: true, text: plan.done };
      this.completed++;
      if (plan.secret === 'temporary-password' && answer.temporaryPassword) {
        this.secret = { kind: 'temporary-password', title: '仮パスワード', subject: plan.subject ?? '', value: answer.temporaryPassword };
      } else if (plan.secret === 'credential') {
        const parsed = ADMIN_ROUTES['terminals.register'].response.safeParse(answer.data);
        if (parsed.success) this.secret = { kind: 'credential', title: '端末の認証情報', subject: `${parsed.data.credential.terminalName}（${parsed.data.credential.terminalId}）`, value: JSON.stringify(parsed.data.credential, null, 2) };
      }
    });
    if (!answer.ok) return false;
    await this.load();
    return true;
  }

  /** The one-time dialog was closed: the password / credential is gone from here. */
  dismissSecret(): void {
    this.secret = null;
  }

  dismissOutcome(): void {
    this.outcome = null;
  }
}
