// A command that must end the process with a particular status (run's container exit
// code, 125 for a daemon error) throws this; clientMain prints the message and exits.
export class ExitError extends Error {
  constructor(
    readonly code: number,
    message = "",
  ) {
    super(message);
    this.name = "ExitError";
  }
}
