// Progressive enhancement only: every page works without this file.
document.addEventListener("submit", (event) => {
  const button = event.submitter;
  const message = button && button.dataset.confirm;
  if (message && !window.confirm(message)) {
    event.preventDefault();
  }
});

// <a data-insert-text="…" data-insert-target="#field">: put the text into the field at the
// cursor (canned replies). Without JavaScript the link reloads the page with the text filled in.
document.addEventListener("click", (event) => {
  const link = event.target.closest("[data-insert-text]");
  const field = link && document.querySelector(link.dataset.insertTarget);
  if (!field) {
    return;
  }
  event.preventDefault();
  const start = field.selectionStart ?? field.value.length;
  const end = field.selectionEnd ?? start;
  field.value = field.value.slice(0, start) + link.dataset.insertText + field.value.slice(end);
  field.focus();
});

// <fieldset data-show-if-field="category" data-show-if-values="a b">: shown only while the
// form's `category` field has one of those values (always shown without JavaScript).
document.querySelectorAll("[data-show-if-field]").forEach((block) => {
  const field = block.form?.elements[block.dataset.showIfField] ??
    block.closest("form")?.elements[block.dataset.showIfField];
  if (!field) {
    return;
  }
  const values = block.dataset.showIfValues.split(" ");
  const sync = () => { block.hidden = !values.includes(field.value); };
  field.addEventListener("change", sync);
  sync();
});
