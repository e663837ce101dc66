/**
 * A document cannot be produced because of its template or its data. Permanent: retrying the
 * same template with the same data fails the same way, so the activity turns it into a
 * non-retryable ApplicationFailure of type TemplateError.
 */
export class DocumentError extends Error {
  constructor(
    message: string,
    /** The template file name, e.g. `opinion.hbs`. */
    readonly template: string,
    /** The variable or data path at fault, when one is known. */
    readonly variable?: string,
  ) {
    super(message);
    this.name = 'DocumentError';
  }
}
