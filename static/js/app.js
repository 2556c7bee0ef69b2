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
});

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
