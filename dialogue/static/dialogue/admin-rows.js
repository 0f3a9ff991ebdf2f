/* Inline rows of the admin's change forms (templates/admin/dialogue/edit_inline/rows.html).

   - Each saved row folds to a one-line summary (e.g. position · title · pillar), updated as
     fields change; a button opens it. Rows with errors and new rows stay open.
   - Rows with a position field get a handle: drag it, or focus it and press the up and down
     arrow keys (Home and End too). Positions are then renumbered 1, 2, 3… in the new order
     and the change is announced to screen readers. The form still saves the numbers.

   Progressive enhancement: without this script every row is open and positions are typed.
   It reads what it needs (field names, texts in the user's language) from data-* attributes,
   so it runs under a Content-Security-Policy without inline scripts or styles. */
"use strict";
(function () {
  const ROWS = ".inline-related:not(.empty-form)";

  function rowsOf(group) {
    return Array.from(group.querySelectorAll(ROWS)).filter(
      (row) => row.closest(".rows-group") === group
    );
  }

  function fieldOf(row, name) {
    return row.querySelector(`[name="${row.id}-${name}"]`);
  }

  function format(template, values) {
    return template.replace(/%\((\w+)\)s/g, (match, key) => values[key] ?? "");
  }

  function valueText(input) {
    if (!input) return "";
    if (input.tagName === "SELECT") {
      return Array.from(input.selectedOptions)
        .filter((option) => option.value !== "")
        .map((option) => option.text.trim())
        .join(", ");
    }
    if (input.type === "checkbox" || input.type === "hidden") return "";
    return input.value.trim();
  }

  function summaryOf(group, row) {
    const names = (group.dataset.rowsSummary || "").split(" ").filter(Boolean);
    const parts = names.map((name) => valueText(fieldOf(row, name))).filter(Boolean);
    return parts.join(" · ") || row.querySelector(".inline_label").textContent.trim();
  }

  function isDeleted(row) {
    const box = row.querySelector('input[name$="-DELETE"]');
    return Boolean(box && box.checked);
  }

  function refresh(group, row) {
    const summary = summaryOf(group, row);
    const text = row.querySelector(".rows-toggle__summary");
    if (text) text.textContent = summary;
    const handle = row.querySelector(".rows-handle");
    if (handle) handle.setAttribute("aria-label", format(group.dataset.textMove, { row: summary }));
    row.classList.toggle("rows-row--deleted", isDeleted(row));
  }

  function setOpen(row, open) {
    row.querySelector(".rows-fields").hidden = !open;
    row.classList.toggle("rows-row--closed", !open);
    row.querySelector(".rows-toggle").setAttribute("aria-expanded", String(open));
  }

  function renumber(group) {
    const name = group.dataset.rowsPosition;
    let position = 0;
    for (const row of rowsOf(group)) {
      const input = fieldOf(row, name);
      if (!input || isDeleted(row)) continue;
      position += 1;
      if (input.value !== String(position)) {
        input.value = String(position);
        input.dispatchEvent(new Event("change", { bubbles: true }));
      }
    }
  }

  function announce(group, row) {
    const kept = rowsOf(group).filter((other) => !isDeleted(other));
    const status = group.querySelector(".rows-status");
    status.textContent = format(group.dataset.textMoved, {
      row: summaryOf(group, row),
      position: kept.indexOf(row) + 1,
      count: kept.length,
    });
  }

  function moved(group, row, handle) {
    renumber(group);
    rowsOf(group).forEach((each) => refresh(group, each));
    announce(group, row);
    handle.focus();
  }

  function moveBy(group, row, handle, key) {
    const rows = rowsOf(group);
    const index = rows.indexOf(row);
    const target = {
      ArrowUp: index - 1,
      ArrowDown: index + 1,
      Home: 0,
      End: rows.length - 1,
    }[key];
    if (target === undefined) return false;
    if (target < 0 || target >= rows.length || target === index) return true;
    if (target < index) rows[target].before(row);
    else rows[target].after(row);
    moved(group, row, handle);
    return true;
  }

  function startDrag(group, row, handle, event) {
    if (event.button !== 0) return;
    event.preventDefault();
    row.classList.add("rows-row--dragging");
    const follow = (move) => {
      const others = rowsOf(group).filter((other) => other !== row);
      const before = others.find((other) => {
        const box = other.getBoundingClientRect();
        return move.clientY < box.top + box.height / 2;
      });
      if (before) {
        if (row.nextElementSibling !== before) before.before(row);
      } else if (others.length && others[others.length - 1].nextElementSibling !== row) {
        others[others.length - 1].after(row);
      }
    };
    const stop = () => {
      document.removeEventListener("pointermove", follow);
      document.removeEventListener("pointerup", stop);
      document.removeEventListener("pointercancel", stop);
      row.classList.remove("rows-row--dragging");
      moved(group, row, handle);
    };
    document.addEventListener("pointermove", follow);
    document.addEventListener("pointerup", stop);
    document.addEventListener("pointercancel", stop);
  }

  function setUpRow(group, row, open) {
    if (row.dataset.rowsReady) return;
    row.dataset.rowsReady = "1";
    const head = row.querySelector(".rows-head");
    const fields = row.querySelector(".rows-fields");
    const kind = head.querySelector(".rows-kind");
    fields.id = `${row.id}-fields`;

    const toggle = document.createElement("button");
    toggle.type = "button";
    toggle.className = "rows-toggle";
    toggle.title = group.dataset.textShow;
    toggle.setAttribute("aria-controls", fields.id);
    const kindText = document.createElement("span");
    kindText.className = "rows-toggle__kind";
    kindText.textContent = kind.textContent;
    const summary = document.createElement("span");
    summary.className = "rows-toggle__summary";
    toggle.append(kindText, " ", summary);
    kind.hidden = true;
    head.querySelector(".inline_label").hidden = true;
    head.prepend(toggle);
    toggle.addEventListener("click", () => setOpen(row, fields.hidden));

    if (group.dataset.rowsPosition && fieldOf(row, group.dataset.rowsPosition)) {
      const handle = document.createElement("button");
      handle.type = "button";
      handle.className = "rows-handle";
      handle.setAttribute("aria-describedby", `${group.id}-rows-help`);
      const grip = document.createElement("span");
      grip.setAttribute("aria-hidden", "true");
      grip.textContent = "⠿";
      handle.append(grip);
      head.prepend(handle);
      handle.addEventListener("keydown", (event) => {
        if (moveBy(group, row, handle, event.key)) event.preventDefault();
      });
      handle.addEventListener("pointerdown", (event) => startDrag(group, row, handle, event));
    }

    row.addEventListener("input", () => refresh(group, row));
    row.addEventListener("change", () => refresh(group, row));
    refresh(group, row);
    setOpen(row, open);
  }

  function setUpGroup(group) {
    const heading = group.querySelector(".inline-heading");
    const tools = document.createElement("div");
    tools.className = "rows-tools";
    for (const [text, open] of [
      [group.dataset.textOpenAll, true],
      [group.dataset.textCloseAll, false],
    ]) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "rows-tools__button";
      button.textContent = text;
      button.addEventListener("click", () => rowsOf(group).forEach((row) => setOpen(row, open)));
      tools.append(button);
    }
    const position = group.dataset.rowsPosition;
    if (position && group.querySelector(`[name$="-${position}"]`)) {
      const help = document.createElement("p");
      help.className = "rows-help";
      help.id = `${group.id}-rows-help`;
      help.textContent = group.dataset.textHelp;
      tools.append(help);
    }
    heading.after(tools);
    const status = document.createElement("p");
    status.className = "rows-status";
    status.setAttribute("aria-live", "polite");
    group.querySelector("fieldset").append(status);

    for (const row of rowsOf(group)) {
      const keepOpen =
        row.classList.contains("rows-row--errors") || !row.classList.contains("has_original");
      setUpRow(group, row, keepOpen);
    }
  }

  document.addEventListener("formset:added", (event) => {
    const row = event.target;
    const group = row.closest(".rows-group");
    if (!group) return;
    const name = group.dataset.rowsPosition;
    const input = name && fieldOf(row, name);
    if (input && !Number(input.value)) {
      const taken = rowsOf(group)
        .filter((other) => other !== row)
        .map((other) => Number((fieldOf(other, name) || {}).value) || 0);
      input.value = String(Math.max(0, ...taken) + 1);
    }
    setUpRow(group, row, true);
  });

  function start() {
    document.querySelectorAll(".rows-group").forEach(setUpGroup);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
