import { UserError } from '../../shared/errors.js';
import { styleLabel } from '../../shared/styles.js';
import type { InstalledStyles } from './installed-styles.js';
import { styleSetText, stylesText } from './messages.js';
import type { UserSettings } from './user-settings.js';

/** /styles and /style: the styles on offer, and each user's default among them. */
export class StylePreference {
  constructor(
    private readonly settings: UserSettings,
    private readonly styles: InstalledStyles,
    private readonly defaultStyle: string,
  ) {}

  /** The styles on offer and the user's default; `howToChoose` replaces the closing hint (platforms choose styles differently). */
  async describe(userId: string, howToChoose?: string): Promise<string> {
    const [installed, { style }] = await Promise.all([this.styles.list(), this.settings.get(userId)]);
    return stylesText(installed, this.defaultStyle, style, howToChoose);
  }

  /** Sets the user's default style; only installed styles can be chosen. */
  async set(userId: string, style: string): Promise<string> {
    const resolved = await this.styles.resolve(style);
    if (resolved.requestedStyle) throw UserError.noModel(styleLabel(resolved.requestedStyle), (await this.styles.list()).map(styleLabel));
    await this.settings.setStyle(userId, resolved.style);
    return styleSetText(resolved.style);
  }
}
