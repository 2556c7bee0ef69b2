// Progressive enhancement only: every page works without this file.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  // Move focus to the first field with an error, so keyboard and screen-reader users land on it.
  const invalid = document.querySelector("[aria-invalid='true']");
  if (invalid) invalid.focus();

  // A sort menu applies itself when changed.
  document.querySelectorAll("[data-autosubmit]").forEach((select) => {
    select.addEventListener("change", () => select.form.submit());
  });

  // Destructive buttons ask first.
  document.querySelectorAll("[data-confirm]").forEach((button) => {
    button.addEventListener("click", (event) => {
      if (!window.confirm(button.dataset.confirm)) event.preventDefault();
    });
  });

  document.querySelectorAll("input[data-suggest-url]").forEach(autocomplete);
  document.querySelectorAll("input[data-filters]").forEach(categoryPicker);
  document.querySelectorAll("[data-drawer-toggle]").forEach(drawer);
  document.querySelectorAll("main table").forEach(labelCells);
});

// The words of a text reduced to their stems (Porter2, as the search engines stem), so that
// "battery" finds "Batteries" and "pipe" finds "Pipes"; without the stemmer, the words as typed.
function stems(text) {
  const stem = window.porter2Stem || ((word) => word);
  return text.toLowerCase().split(/[^\p{L}\p{M}\p{N}]+/u).filter(Boolean).map(stem);
}

// Every typed word begins one word of the option (a word half typed still narrows the list).
function findsOption(typed, optionStems) {
  return typed.every((word) => optionStems.some((stem) => stem.startsWith(word)));
}

// On a phone a table's rows stack (app.css): each cell then shows its column's heading above
// its value, so a row reads as a small card and no column is pushed off the screen.
function labelCells(table) {
  // A heading only screen readers hear (over a column of buttons) labels no cell on screen.
  const headings = [...table.querySelectorAll(":scope > thead > tr:last-child > th")].map((th) =>
    th.querySelector(".visually-hidden") ? "" : th.textContent.trim(),
  );
  if (!headings.length) return;
  table.classList.add("stacks");
  table.querySelectorAll(":scope > tbody > tr, :scope > tfoot > tr").forEach((row) => {
    let column = 0;
    [...row.cells].forEach((cell) => {
      const heading = headings[column];
      if (heading && !cell.hasAttribute("data-label")) cell.dataset.label = heading;
      if (!cell.children.length && !cell.textContent.trim()) cell.classList.add("is-empty");
      column += cell.colSpan || 1;
    });
  });
}

// A long <select> made searchable: typing "pipe" leaves only the categories (or industries)
// that match, and picks the first of them. The select still submits the choice.
function categoryPicker(input) {
  const select = document.getElementById(input.dataset.filters);
  const count = document.getElementById(input.getAttribute("aria-describedby"));
  if (!select) return;
  input.closest("[data-category-picker]").classList.add("enhanced");
  input.addEventListener("input", () => {
    const words = stems(input.value);
    let first = null;
    let shown = 0;
    select.querySelectorAll("optgroup").forEach((group) => {
      const groupText = group.label.toLowerCase();
      let any = false;
      group.querySelectorAll("option").forEach((option) => {
        // The slug is the English name: a supplier on a Hindi page may still type "pipe".
        const slugWords = option.value.replace(/-/g, " ");
        const match = findsOption(words, stems(`${option.textContent} ${slugWords} ${groupText}`));
        option.hidden = !match;
        if (match) {
          any = true;
          shown += 1;
          first = first || option;
        }
      });
      group.hidden = !any;
    });
    if (words.length && first) select.value = first.value;
    // The words come from the page, in the reader's language ("#" stands for the number).
    if (count) count.textContent = words.length ? count.dataset.countText.replace("#", shown) : "";
  });
}

// A panel (the search filters, the header menu) that a button opens and closes on small
// screens; without this script the panel is simply shown.
function drawer(button) {
  const panel = document.getElementById(button.getAttribute("aria-controls"));
  if (!panel) return;
  document.documentElement.classList.add("js");
  button.hidden = false;
  button.addEventListener("click", () => {
    const open = button.getAttribute("aria-expanded") !== "true";
    button.setAttribute("aria-expanded", String(open));
    panel.classList.toggle("open", open);
  });
  panel.querySelectorAll("[data-drawer-close]").forEach((close) =>
    close.addEventListener("click", () => {
      button.setAttribute("aria-expanded", "false");
      panel.classList.remove("open");
      button.focus();
    }),
  );
}

// Search suggestions: an ARIA combobox with a listbox of suggestions under the input.
function autocomplete(input) {
  const list = document.getElementById(input.getAttribute("aria-controls"));
  let active = -1;
  let timer = null;
  let latest = 0;

  const options = () => Array.from(list.querySelectorAll("[role='option']"));

  function close() {
    list.hidden = true;
    list.replaceChildren();
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function highlight(index) {
    const items = options();
    items.forEach((item, i) => item.setAttribute("aria-selected", i === index ? "true" : "false"));
    active = index;
    if (index >= 0) input.setAttribute("aria-activedescendant", items[index].id);
    else input.removeAttribute("aria-activedescendant");
  }

  function choose(text) {
    input.value = text;
    close();
    input.form.submit();
  }

  function show(suggestions, typed) {
    list.replaceChildren();
    suggestions.forEach((text, i) => {
      const item = document.createElement("li");
      item.id = `${list.id}-${i}`;
      item.setAttribute("role", "option");
      item.setAttribute("aria-selected", "false");
      const start = text.indexOf(typed.toLowerCase());
      if (start >= 0) {
        const mark = document.createElement("mark");
        mark.textContent = text.slice(start, start + typed.length);
        item.append(text.slice(0, start), mark, text.slice(start + typed.length));
      } else {
        item.textContent = text;
      }
      item.addEventListener("mousedown", (event) => {
        event.preventDefault();
        choose(text);
      });
      list.append(item);
    });
    const open = suggestions.length > 0;
    list.hidden = !open;
    input.setAttribute("aria-expanded", String(open));
    active = -1;
  }

  async function fetchSuggestions() {
    const typed = input.value.trim();
    if (typed.length < 2) return close();
    const ticket = ++latest;
    try {
      const response = await fetch(`${input.dataset.suggestUrl}?q=${encodeURIComponent(typed)}`, {
        headers: { Accept: "application/json" },
      });
      if (!response.ok || ticket !== latest) return;
      const body = await response.json();
      if (ticket === latest) show(body.suggestions || [], typed);
    } catch (error) {
      close(); // suggestions are a convenience: a failed fetch just shows none
    }
  }

  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(fetchSuggestions, 120);
  });
  input.addEventListener("keydown", (event) => {
    const items = options();
    if (event.key === "ArrowDown" && items.length) {
      event.preventDefault();
      highlight((active + 1) % items.length);
    } else if (event.key === "ArrowUp" && items.length) {
      event.preventDefault();
      highlight(active <= 0 ? items.length - 1 : active - 1);
    } else if (event.key === "Enter" && active >= 0) {
      event.preventDefault();
      choose(items[active].textContent);
    } else if (event.key === "Escape") {
      close();
    }
  });
  input.addEventListener("blur", () => setTimeout(close, 100));
}
