/** At most `size` tasks at once; the others wait their turn in order. */
export class Semaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly size: number) {
    if (!Number.isInteger(size) || size < 1)
      throw new RangeError(`Semaphore size must be a positive integer, got ${size}`);
  }

  /** Runs `task` when a slot is free. */
  async use<T>(task: () => Promise<T>): Promise<T> {
    // A released slot passes straight to the next waiter, so no newcomer can overtake it.
    if (this.active >= this.size) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}
