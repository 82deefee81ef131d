import * as tf from '@tensorflow/tfjs';

/**
 * Puts a kernel of ours in place of one of tfjs-backend-wasm's, keeping wasm's own for the
 * cases ours hands back and for switching back (comparisons, benchmarks).
 *
 * This module does not import the wasm package: importing it registers the wasm backend,
 * which then outranks cpu as tfjs's default in processes that never asked for wasm.
 */
export class WasmKernelOverride {
  private originalConfig?: tf.KernelConfig;

  constructor(
    private readonly kernelName: string,
    private readonly kernelFunc: tf.KernelFunc,
  ) {}

  /**
   * Puts ours in place. Call it after `@tensorflow/tfjs-backend-wasm` is imported (before or
   * after the backend is initialised); before that it does nothing and returns false.
   * Calling it again is harmless.
   */
  use(): boolean {
    // Typed as always there; undefined until the backend's module registers its kernels.
    const current = tf.getKernel(this.kernelName, 'wasm') as tf.KernelConfig | undefined;
    if (!current) return false;
    if (current.kernelFunc === this.kernelFunc) return true;
    this.originalConfig = current;
    tf.unregisterKernel(this.kernelName, 'wasm');
    tf.registerKernel({
      kernelName: this.kernelName,
      backendName: 'wasm',
      kernelFunc: this.kernelFunc,
      // The original's setup binds its wasm function; it must still run if the backend starts later.
      ...(current.setupFunc ? { setupFunc: current.setupFunc } : {}),
      ...(current.disposeFunc ? { disposeFunc: current.disposeFunc } : {}),
    });
    return true;
  }

  /** Puts wasm's own kernel back. */
  useOriginal(): void {
    // Typed as always there; undefined once the backend is gone.
    const installed = tf.getKernel(this.kernelName, 'wasm') as tf.KernelConfig | undefined;
    if (!this.originalConfig || installed?.kernelFunc !== this.kernelFunc) return;
    tf.unregisterKernel(this.kernelName, 'wasm');
    tf.registerKernel(this.originalConfig);
  }

  /** Runs wasm's own kernel (for what ours does not handle). */
  original(args: Parameters<tf.KernelFunc>[0]): ReturnType<tf.KernelFunc> {
    if (!this.originalConfig) throw new Error(`${this.kernelName}: wasm kernel replaced without keeping the original`);
    return this.originalConfig.kernelFunc(args);
  }
}
