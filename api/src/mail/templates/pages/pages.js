// The pages' only script: a time-zone field the page did not fill from a
// choice takes the browser's zone; the booking page, opened without a zone,
// asks for its times in the browser's; a form with problems brings them
// into focus.
(function () {
  "use strict";
  var problems = document.getElementById("problems");
  if (problems) {
    problems.focus();
  }
  var zone;
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch (e) {
    return;
  }
  if (!zone) {
    return;
  }
  var selects = document.querySelectorAll("select[data-zone][data-detect]");
  for (var s = 0; s < selects.length; s++) {
    var select = selects[s];
    for (var i = 0; i < select.options.length; i++) {
      if (select.options[i].value === zone) {
        select.selectedIndex = i;
        break;
      }
    }
  }
  // Only when the page chose no zone itself (no `zone` asked, no form
  // sent back with one).
  var form = document.querySelector("form.zone-form");
  var picker = form && form.querySelector("select[data-detect]");
  if (picker && picker.value === zone && picker.getAttribute("data-default") !== zone) {
    form.submit();
  }
})();
