// The crisis protocol appears the moment a worker ticks "yes" on an ASQ question, before any save:
// the person may be on the line now.
(function () {
  const protocol = document.getElementById("crisis-protocol");
  const form = document.querySelector(".screen-form");
  if (!protocol || !form) return;
  const names = ["asq_1", "asq_2", "asq_3", "asq_4", "asq_5"];
  form.addEventListener("change", function () {
    const yes = names.some((name) => form.querySelector(`input[name="${name}"][value="yes"]:checked`));
    if (yes && protocol.hidden) {
      protocol.hidden = false;
      protocol.setAttribute("role", "alert");
    }
  });
})();
