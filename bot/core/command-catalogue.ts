/**
 * The bots' commands with what users see about them. Each platform registers them its own
 * way (Telegram's setMyCommands, Discord's slash commands) and /help lists them.
 */
export interface CommandInfo {
  name: string;
  /** Argument synopsis, e.g. "<style> [dataset]". */
  args?: string;
  description: string;
  adminOnly: boolean;
}

export const commandCatalogue: readonly CommandInfo[] = [
  { name: 'start', description: 'What this bot does', adminOnly: false },
  { name: 'help', description: 'How to use the bot', adminOnly: false },
  { name: 'styles', description: 'The styles you can choose', adminOnly: false },
  { name: 'style', args: '<style>', description: 'Set your default style', adminOnly: false },
  { name: 'status', description: 'Your requests and the queue', adminOnly: false },
  { name: 'cancel', description: 'Cancel your waiting request', adminOnly: false },
  { name: 'forget', description: 'Delete your settings and stored images', adminOnly: false },
  { name: 'retrain', args: '<style> [dataset]', description: 'Train a new model for a style', adminOnly: true },
  { name: 'eval', args: '<style>', description: 'Evaluate the current model of a style', adminOnly: true },
  { name: 'models', description: 'List model versions', adminOnly: true },
  { name: 'promote', args: '<style> <version>', description: 'Make a model version current', adminOnly: true },
  { name: 'rollback', args: '<style>', description: 'Go back to the previous model version', adminOnly: true },
  { name: 'queue', description: 'Queue and worker statistics', adminOnly: true },
  { name: 'runs', description: 'Training and evaluation runs: waiting, running, recently ended', adminOnly: true },
  // Not "cancel": that is every user's command for their own waiting request.
  { name: 'cancelrun', args: '<job id>', description: 'Cancel a training or evaluation run by its id', adminOnly: true },
  { name: 'curate', args: '<dataset> [A|B|pair]', description: 'Reply to an image to add it to a dataset', adminOnly: true },
];
