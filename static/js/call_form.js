/* The 360 page's call form: the direction select keeps only the directions of the chosen channel
   (option[data-channel]); the request's fields show only when "also open a request" is ticked.
   The server checks the same (services.interactions.check_direction); without script every option shows. */
(function () {
  "use strict";
  document.querySelectorAll("select[data-directions]").forEach(function (channel) {
    var direction = document.getElementById(channel.getAttribute("data-directions"));
    if (!direction) { return; }
    function filter() {
      var current = direction.options[direction.selectedIndex];
      var keep = current && current.getAttribute("data-channel") === channel.value ? current : null;
      Array.prototype.forEach.call(direction.options, function (option) {
        var fits = option.getAttribute("data-channel") === channel.value;
        option.hidden = !fits;
        option.disabled = !fits;
        if (fits && !keep) { keep = option; }
      });
      if (keep) { keep.selected = true; }
    }
    channel.addEventListener("change", filter);
    filter();
  });
  var tick = document.getElementById("log-open-complaint");
  var fields = document.getElementById("log-complaint-fields");
  if (tick && fields) {
    var toggle = function () { fields.hidden = !tick.checked; };
    tick.addEventListener("change", toggle);
    toggle();
  }
})();
