import { useId, useState } from 'react';

/** A read-only secret or link with a Copy button, shown once after creation. */
export function CopyField({ label, value }: { label: string; value: string }) {
  const id = useId();
  const [copied, setCopied] = useState<'yes' | 'failed' | null>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied('yes');
    } catch {
      // Clipboard access needs a secure context or permission; selecting lets people copy by hand.
      (document.getElementById(id) as HTMLInputElement | null)?.select();
      setCopied('failed');
    }
  };
  return (
    <div className="field copy-field">
      <label htmlFor={id}>{label}</label>
      <div className="copy-row">
        <input id={id} readOnly value={value} onFocus={(e) => e.currentTarget.select()} />
        <button type="button" className="btn btn-secondary" onClick={copy}>
          Copy
        </button>
      </div>
      <p className="hint" role="status">
        {copied === 'yes' && 'Copied to the clipboard.'}
        {copied === 'failed' && 'Could not use the clipboard: the text is selected, press Ctrl+C.'}
      </p>
    </div>
  );
}
