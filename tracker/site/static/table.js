// Progressive enhancement for the study tables: a filter box and sortable columns.
// Without scripts the tables are complete and readable; nothing here is needed.
(function () {
  "use strict";
  var tables = document.querySelectorAll("table.sortable");
  var slot = document.querySelector(".filter-slot");
  if (slot && tables.length) {
    var label = document.createElement("label");
    label.textContent = "Filter the studies: ";
    var input = document.createElement("input");
    input.type = "search";
    input.placeholder = "word, id, status …";
    label.appendChild(input);
    slot.appendChild(label);
    input.addEventListener("input", function () {
      var q = input.value.toLowerCase();
      tables.forEach(function (t) {
        t.tBodies[0].querySelectorAll("tr").forEach(function (tr) {
          tr.hidden = q !== "" && tr.textContent.toLowerCase().indexOf(q) < 0;
        });
      });
    });
  }
  tables.forEach(function (table) {
    table.querySelectorAll("thead th").forEach(function (th, col) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = th.textContent;
      th.textContent = "";
      th.appendChild(button);
      button.addEventListener("click", function () {
        var numeric = th.dataset.sort === "number";
        var up = th.getAttribute("aria-sort") !== "ascending";
        table.querySelectorAll("thead th").forEach(function (o) { o.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", up ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = a.cells[col].textContent.trim(), y = b.cells[col].textContent.trim();
          var r = numeric ? (parseFloat(x) || 0) - (parseFloat(y) || 0) : x.localeCompare(y);
          return up ? r : -r;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  });
})();
