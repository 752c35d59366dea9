import { type InputHTMLAttributes, type ReactNode, type SelectHTMLAttributes, useId } from 'react';

interface FieldProps extends InputHTMLAttributes<HTMLInputElement> {
  label: string;
  hint?: ReactNode;
  error?: string | null;
}

/** A labelled input whose hint and error are tied to it with aria-describedby. */
export function Field({ label, hint, error, id, ...rest }: FieldProps) {
  const auto = useId();
  const inputId = id ?? auto;
  const hintId = hint ? `${inputId}-hint` : undefined;
  const errorId = error ? `${inputId}-error` : undefined;
  return (
    <div className="field">
      <label htmlFor={inputId}>{label}</label>
      <input
        id={inputId}
        aria-invalid={error ? true : undefined}
        aria-describedby={[hintId, errorId].filter(Boolean).join(' ') || undefined}
        {...rest}
      />
      {hint && (
        <p className="hint" id={hintId}>
          {hint}
        </p>
      )}
      {error && (
        <p className="field-error" id={errorId}>
          {error}
        </p>
      )}
    </div>
  );
}

interface SelectProps extends SelectHTMLAttributes<HTMLSelectElement> {
  label: string;
  options: readonly (readonly [value: string, label: string])[];
}

export function Select({ label, options, id, ...rest }: SelectProps) {
  const auto = useId();
  const selectId = id ?? auto;
  return (
    <div className="field">
      <label htmlFor={selectId}>{label}</label>
      <select id={selectId} {...rest}>
        {options.map(([value, text]) => (
          <option key={value} value={value}>
            {text}
          </option>
        ))}
      </select>
    </div>
  );
}

type Change = InputHTMLAttributes<HTMLInputElement>['onChange'];

interface NewPasswordFieldsProps {
  /** @default 'Password' */
  label?: string;
  /** @default 'Repeat password' */
  repeatLabel?: string;
  /** The password rules, shown under the first field. */
  hint: ReactNode;
  password: string;
  confirm: string;
  onPassword: Change;
  onConfirm: Change;
  error?: string | null;
}

/** The new-password pair every form that sets a password shows (setup, invitation, change). */
export function NewPasswordFields(p: NewPasswordFieldsProps) {
  return (
    <>
      <Field
        label={p.label ?? 'Password'}
        type="password"
        autoComplete="new-password"
        required
        hint={p.hint}
        value={p.password}
        onChange={p.onPassword}
        error={p.error}
      />
      <Field
        label={p.repeatLabel ?? 'Repeat password'}
        type="password"
        autoComplete="new-password"
        required
        value={p.confirm}
        onChange={p.onConfirm}
      />
    </>
  );
}
