/** The fields of the lists' GET filter forms: the chosen values live in the URL. */

interface Choice {
  value: string;
  label: string;
}

/** Enum values shown lower-case, as the filters read them ("running", "teacher"). */
export function lowerCaseChoices(values: readonly string[]): Choice[] {
  return values.map((value) => ({ value, label: value.toLowerCase() }));
}

/** A labelled select whose first option, "Any", leaves the filter out. */
export function FilterSelect({ name, label, value, choices }: { name: string; label: string; value: string | undefined; choices: Choice[] }) {
  return (
    <div className="field">
      <label htmlFor={name}>{label}</label>
      <select id={name} name={name} defaultValue={value ?? ""}>
        <option value="">Any</option>
        {choices.map((choice) => (
          <option key={choice.value} value={choice.value}>
            {choice.label}
          </option>
        ))}
      </select>
    </div>
  );
}

/** A labelled text input; empty leaves the filter out. */
export function FilterText({ name, label, value, search = false }: { name: string; label: string; value: string | undefined; search?: boolean }) {
  return (
    <div className="field">
      <label htmlFor={name}>{label}</label>
      <input id={name} name={name} type={search ? "search" : "text"} defaultValue={value ?? ""} />
    </div>
  );
}
