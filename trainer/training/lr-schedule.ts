/**
 * Learning-rate policies of the reference toolkit (networks.get_scheduler), per epoch:
 * linear keeps `lr` for n_epochs then decays linearly to 0 over n_epochs_decay; step
 * multiplies by 0.1 every lr_decay_iters epochs; cosine anneals to 0 over the whole run.
 * Epochs count from 1 as in the reference (epoch_count = 1).
 */
export type LrPolicy = 'linear' | 'step' | 'cosine';

export function learningRateAt(epoch: number, o: { lr: number; lr_policy: LrPolicy; n_epochs: number; n_epochs_decay: number; lr_decay_iters: number }): number {
  switch (o.lr_policy) {
    case 'linear':
      return o.lr * (1 - Math.max(0, epoch - o.n_epochs) / (o.n_epochs_decay + 1));
    case 'step':
      return o.lr * 0.1 ** Math.floor((epoch - 1) / o.lr_decay_iters);
    case 'cosine': {
      const total = o.n_epochs + o.n_epochs_decay;
      return (o.lr / 2) * (1 + Math.cos((Math.PI * Math.min(epoch - 1, total)) / total));
    }
  }
}
