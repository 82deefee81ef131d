import type { ModelStore } from '../../shared/models/model-store.js';
import { resolveStyle, type ResolvedStyle } from '../../shared/styles.js';

const cacheMs = 5000;

/**
 * The styles that have a current model, read from the model store (cached for a few
 * seconds), and the choice of style for a request, so that a bad style name is refused
 * before anything is downloaded or queued.
 */
export class InstalledStyles {
  private cached: { at: number; styles: Promise<string[]> } | undefined;

  constructor(
    private readonly store: ModelStore,
    private readonly defaultStyle: string,
  ) {}

  list(): Promise<string[]> {
    if (!this.cached || Date.now() - this.cached.at > cacheMs) {
      const styles = this.read();
      this.cached = { at: Date.now(), styles };
      styles.catch(() => (this.cached = undefined));
    }
    return this.cached.styles;
  }

  /** Forgets the cached list (after a promotion or rollback). */
  invalidate(): void {
    this.cached = undefined;
  }

  /** Throws UserError (unknown_style, no_model) when the style cannot run. */
  async resolve(requested: string | undefined): Promise<ResolvedStyle> {
    return resolveStyle(requested, await this.list(), this.defaultStyle);
  }

  private async read(): Promise<string[]> {
    const styles = await this.store.styles();
    const current = await Promise.all(styles.map((style) => this.store.current(style)));
    return styles.filter((_, i) => current[i] !== undefined);
  }
}
