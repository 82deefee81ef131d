/** A port the project was told to open is taken; its message is one line naming the setting. */
export class PortInUseError extends Error {
  override readonly name = 'PortInUseError';
}

/** Listen failures on a taken port become a PortInUseError naming the setting that chose the port; others pass unchanged. */
export function portInUse<E>(err: E, port: number, setting: string): E | PortInUseError {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'EADDRINUSE' ? new PortInUseError(`port ${port} is already in use: set ${setting} to a free port`, { cause: err }) : err;
}
