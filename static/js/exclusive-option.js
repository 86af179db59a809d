// An exclusive checkbox ("Rien de particulier"): ticking it unticks the others of its
// group, ticking another unticks it. Without this script the server explains the clash.
document.addEventListener("change", function (event) {
  var box = event.target;
  if (!box.matches || !box.matches("input[type=checkbox]") || !box.checked) return;
  var group = box.closest("fieldset");
  if (!group) return;
  var exclusive = box.hasAttribute("data-exclusive");
  group.querySelectorAll("input[type=checkbox]").forEach(function (other) {
    if (other !== box && (exclusive || other.hasAttribute("data-exclusive"))) {
      other.checked = false;
    }
  });
});
