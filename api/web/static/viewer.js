// The article viewer's interactions; the page works without them (links to #s-START-END marks).
// Selecting a fact's quote lights every mark of that fact and scrolls to the chosen one;
// selecting a mark lists the facts it supports in the status region. From the keyboard: Enter on
// a quote moves the focus to its mark, Enter on that mark lists its facts, each a link to it.
"use strict";
(() => {
  const text = document.getElementById("text");
  const supports = document.getElementById("supports");
  if (!text || !supports) return;
  const quoted = (value) => `"${CSS.escape(value)}"`;
  const factItem = (key) => document.querySelector(`li.fact[data-fact=${quoted(key)}]`);

  function clear() {
    for (const element of document.querySelectorAll(".lit")) element.classList.remove("lit");
  }

  function selectFact(key, target) {
    clear();
    supports.replaceChildren();
    for (const mark of text.querySelectorAll(`mark[data-facts~=${quoted(key)}]`)) {
      mark.classList.add("lit");
    }
    factItem(key)?.classList.add("lit");
    if (!target) return;
    target.tabIndex = -1;
    target.focus({ preventScroll: true });
    target.scrollIntoView({ block: "center" });
  }

  function selectMark(mark) {
    clear();
    const span = `mark[data-start="${mark.dataset.start}"][data-end="${mark.dataset.end}"]`;
    for (const piece of text.querySelectorAll(span)) piece.classList.add("lit");
    const heading = document.createElement("p");
    heading.textContent = "These words support:";
    const list = document.createElement("ul");
    for (const key of mark.dataset.facts.split(" ")) {
      const item = factItem(key);
      if (!item) continue;
      item.classList.add("lit");
      const link = document.createElement("a");
      link.href = `#${item.id}`;
      link.textContent = item.querySelector(".record").textContent;
      const entry = document.createElement("li");
      entry.append(link);
      list.append(entry);
    }
    supports.replaceChildren(heading, list);
  }

  document.addEventListener("click", (event) => {
    const quote = event.target.closest("a.quote");
    if (quote) {
      event.preventDefault();
      history.replaceState(null, "", quote.hash);
      selectFact(quote.dataset.fact, document.getElementById(quote.hash.slice(1)));
      return;
    }
    const mark = event.target.closest("mark[data-facts]");
    if (mark) selectMark(mark);
  });

  document.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" && event.key !== " ") return;
    const mark = event.target.closest?.("mark[data-facts]");
    if (!mark) return;
    event.preventDefault();
    selectMark(mark);
  });
})();
