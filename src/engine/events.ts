import { EventEmitter } from 'node:events';

/** Every state change the engine records; each is also a time-stamped row of the run's history. */
export type EngineEventType =
  | 'run.created'
  | 'run.started'
  | 'run.resumed'
  | 'run.recovered'
  | 'run.waiting'
  | 'run.completed'
  | 'run.failed'
  | 'run.cancel_requested'
  | 'run.cancelled'
  | 'run.compensating'
  | 'run.compensated'
  | 'run.stranded'
  | 'run.retried'
  | 'run.restarted'
  | 'step.started'
  | 'step.completed'
  | 'step.failed'
  | 'step.retrying'
  | 'timer.started'
  | 'timer.fired'
  | 'event.waiting'
  | 'event.matched'
  | 'event.timeout'
  | 'event.emitted'
  | 'task.created'
  | 'task.claimed'
  | 'task.completed'
  | 'task.escalated'
  | 'task.overdue'
  | 'task.delegated'
  | 'task.reassigned'
  | 'child.started';

export interface EngineEvent<T extends EngineEventType = EngineEventType> {
  type: T;
  runId: string;
  position?: number;
  at: number;
  data?: Record<string, unknown>;
}

/** A typed subscription point for metrics, KPIs, tracing and progress output. */
export class EngineEvents {
  private readonly emitter = new EventEmitter({ captureRejections: false });

  constructor() {
    this.emitter.setMaxListeners(100);
  }

  on<T extends EngineEventType>(type: T | '*', listener: (e: EngineEvent<T>) => void): () => void {
    this.emitter.on(type, listener as (e: EngineEvent) => void);
    return () => this.emitter.off(type, listener as (e: EngineEvent) => void);
  }

  emit(e: EngineEvent): void {
    if (this.emitter.listenerCount(e.type) > 0) this.safe(e.type, e);
    if (this.emitter.listenerCount('*') > 0) this.safe('*', e);
  }

  hasListeners(): boolean {
    return this.emitter.eventNames().length > 0;
  }

  private safe(name: string, e: EngineEvent): void {
    try {
      this.emitter.emit(name, e);
    } catch {
      // a failing listener must never break the engine
    }
  }
}
