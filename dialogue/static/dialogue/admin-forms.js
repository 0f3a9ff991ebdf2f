/* Accessible names for the widgets that scripts build in the admin's forms: the rich-text
   editor's editable area and the autocomplete boxes (select2) take the name of the field's
   label. They are rebuilt as people type and pick, so this runs again on every change. */
"use strict";
(function () {
  function labelOf(id) {
    if (!id) return null;
    const label = document.querySelector(`label[for="${CSS.escape(id)}"]`);
    if (label && !label.id) label.id = `${id}-label`;
    return label;
  }

  function name(element, ids) {
    const value = ids.filter(Boolean).join(" ");
    if (value && element.getAttribute("aria-labelledby") !== value) {
      element.setAttribute("aria-labelledby", value);
    }
  }

  function nameWidgets() {
    document.querySelectorAll(".prose-editor").forEach((editor) => {
      const area = editor.querySelector("textarea");
      const box = editor.querySelector('[contenteditable="true"]');
      const label = area && labelOf(area.id);
      if (box && label) name(box, [label.id]);
    });
    document.querySelectorAll("select.admin-autocomplete").forEach((select) => {
      const label = labelOf(select.id);
      const container = select.nextElementSibling;
      if (!label || !container || !container.classList.contains("select2")) return;
      const rendered = container.querySelector(".select2-selection__rendered");
      const single = container.querySelector(".select2-selection--single");
      if (single) {
        name(single, [label.id, rendered && rendered.id]);
        if (rendered) name(rendered, [label.id]);
      }
      container.querySelectorAll(".select2-search__field").forEach((field) => {
        name(field, [label.id]);
      });
      // "Remove all" sits in the list of chosen items: make it one of them.
      container.querySelectorAll("ul > .select2-selection__clear").forEach((clear) => {
        clear.setAttribute("role", "listitem");
      });
    });
  }

  let pending = false;
  function soon() {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      nameWidgets();
    });
  }

  function start() {
    nameWidgets();
    new MutationObserver(soon).observe(document.body, { childList: true, subtree: true });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
