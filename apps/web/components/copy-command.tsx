"use client";

import { useId, useState } from "react";

/** A command in a <code> with a Copy button; "Copied" is announced through a live region. */
export function CopyCommand({ command }: { command: string }) {
  const [status, setStatus] = useState("");
  const codeId = useId();
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(command);
      setStatus("Copied");
    } catch {
      setStatus("Copy failed: select the command and copy it");
    }
  };
  return (
    <div className="copy-command">
      <code id={codeId}>{command}</code>
      <button type="button" className="secondary" onClick={copy} aria-describedby={codeId}>
        Copy
      </button>
      <span role="status" aria-live="polite" className="copy-status">
        {status}
      </span>
    </div>
  );
}
