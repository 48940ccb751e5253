// Slot forms: show only the fields for the chosen kind of repeat (all are shown without JS).
(function () {
  for (const box of document.querySelectorAll("[data-slot-fields]")) {
    const repeat = box.querySelector("select[name=repeat]");
    if (!repeat) continue;
    const update = () => {
      for (const part of box.querySelectorAll("[data-repeat]")) {
        part.hidden = !part.dataset.repeat.split(" ").includes(repeat.value);
      }
    };
    repeat.addEventListener("change", update);
    update();
  }
})();
