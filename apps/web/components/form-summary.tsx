import type { FieldMessage } from "../lib/spec-form/form-data";

/** Above a refused form: the error, or every message with a link to its input. */
export function FormSummary({ error, messages }: { error: string | null; messages: readonly FieldMessage[] }) {
  if (!error && messages.length === 0) return null;
  return (
    <div role="alert" className="form-summary">
      {error ? <p className="error">{error}</p> : null}
      {messages.length > 0 ? (
        <>
          <p>
            {messages.length === 1 ? "1 problem" : `${messages.length} problems`} to fix before launching; nothing was created:
          </p>
          <ul>
            {messages.map((message, index) => (
              <li key={index}>
                {message.id ? <a href={`#${message.id}`}>{message.path}</a> : <code>{message.path}</code>}: {message.message}
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </div>
  );
}
