/**
 * A wait for a date that Updates can move, in the spirit of the samples' `UpdatableTimer`
 * (timer-examples): a handler that moves the deadline (or brings other work) notifies the timer's
 * `Wakeup`, the sleep ends, and the loop re-plans from the state. Unlike the sample, the re-plan
 * loop stays in the caller: the sleep is `condition(woken, ms)` itself, returned without another
 * `await` in between, because the visit's two loops (the ladder and the receipts) can wake in the
 * same workflow task, and an extra promise turn in one would change the order of the commands they
 * issue, and so the replay of recorded histories.
 *
 * Use: `timer.plan()` when a round of planning starts (a notify from then on cuts the coming sleep
 * short), then `untilWoken()` with nothing planned, or `sleep(timer.msUntil(date))`.
 */
import { condition } from '@temporalio/workflow';
import type { Clock } from '../shared/clock';
import { Wakeup } from './wakeup';

export class UpdatableTimer {
  #woken: () => boolean = () => false;

  constructor(
    private readonly clock: Clock,
    /** Notified by handlers: the deadline moved, or there is other work for the loop. */
    readonly wakeup: Wakeup = new Wakeup(),
  ) {}

  /** Starts a round of planning: a notify from now on (or `also()` turning true) ends the coming sleep. */
  plan(also?: () => boolean): void {
    const notified = this.wakeup.since();
    this.#woken = also ? () => notified() || also() : notified;
  }

  /** Milliseconds until `date` falls due on the case's clock (0 when due). */
  msUntil(date: string): number {
    return this.clock.msUntil(date, Date.now());
  }

  /** Sleeps until woken (nothing is planned). */
  untilWoken(): Promise<void> {
    return condition(this.#woken);
  }

  /** Sleeps `ms` unless woken first: true when woken, false when the time ran out. */
  sleep(ms: number): Promise<boolean> {
    return condition(this.#woken, ms);
  }
}
