// Paper cannot fold: the results' folded details (<details>) are opened for printing, and
// folded again afterwards. Without JavaScript the PDF summary has them unfolded.
const opened = [];
addEventListener("beforeprint", () => {
  for (const details of document.querySelectorAll("main details:not([open])")) {
    details.open = true;
    opened.push(details);
  }
});
addEventListener("afterprint", () => {
  for (const details of opened.splice(0)) {
    details.open = false;
  }
});
