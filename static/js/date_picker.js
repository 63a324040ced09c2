/* One date and date-time picker for every form (issue #17): an <input data-picker="datetime|date"> stays a plain text
   field that people type and paste into, and gets a calendar button beside it (flatpickr, static/vendor/flatpickr).

   - The field's text is never rewritten by the picker: flatpickr is bound to a hidden anchor, not to the field, and
     writes the field only when a day or a time is chosen on the calendar. Leaving the field changes nothing.
   - The calendar is in the page's language (Vietnamese: flatpickr's "vn" locale, Monday first; English also starts
     on Monday), dd/mm/yyyy HH:MM, 24 hours. Opening it shows the typed date when it is one.
   - Leaving the field with text that is no date marks it invalid with a message floating under it (no layout shift,
     so the click on "Lưu" that made the field lose focus still lands); the server checks again and keeps the text.
   - The forms accepted are those of services/datetimes.py: dd/mm/yyyy HH:MM, d/m/yyyy H:MM, dd-mm-yyyy 09h00,
     ISO with or without seconds; a date field takes d/m/yyyy or ISO.
   Texts come from this script tag's data attributes (admin/templates/admin/cskh_base.html). No inline code (CSP). */
(function () {
  "use strict";

  var script = document.currentScript;
  var text = {
    datetime: (script && script.getAttribute("data-invalid-datetime")) || "dd/mm/yyyy HH:MM",
    date: (script && script.getAttribute("data-invalid-date")) || "dd/mm/yyyy",
    open: (script && script.getAttribute("data-open")) || "Calendar",
    lang: (script && script.getAttribute("data-lang")) || "vi"
  };

  var DMY_TIME = /^(\d{1,2})[\/.\-](\d{1,2})[\/.\-](\d{4})[\sT,]+(\d{1,2})\s*[:hH]\s*(\d{2})(?:\s*:\s*(\d{2}))?$/;
  var ISO_TIME = /^(\d{4})-(\d{1,2})-(\d{1,2})[\sT](\d{1,2}):(\d{2})(?::(\d{2}))?$/;
  var DMY = /^(\d{1,2})[\/.\-](\d{1,2})[\/.\-](\d{4})$/;
  var ISO = /^(\d{4})-(\d{1,2})-(\d{1,2})$/;

  function build(y, mo, d, h, mi, s) {
    y = +y; mo = +mo; d = +d; h = +(h || 0); mi = +(mi || 0); s = +(s || 0);
    if (h > 23 || mi > 59 || s > 59) {
      return null;
    }
    var value = new Date(y, mo - 1, d, h, mi, s);
    if (value.getFullYear() !== y || value.getMonth() !== mo - 1 || value.getDate() !== d) {
      return null; // 31/02, month 13
    }
    return value;
  }

  /* The Date a text means, or null; "" is "" (an empty field is no error here: "required" is the server's). */
  function parse(raw, kind) {
    var value = (raw || "").trim();
    var m;
    if (!value) {
      return "";
    }
    if (kind === "date") {
      if ((m = DMY.exec(value))) {
        return build(m[3], m[2], m[1]);
      }
      if ((m = ISO.exec(value))) {
        return build(m[1], m[2], m[3]);
      }
      return null;
    }
    if ((m = DMY_TIME.exec(value))) {
      return build(m[3], m[2], m[1], m[4], m[5], m[6]);
    }
    if ((m = ISO_TIME.exec(value))) {
      return build(m[1], m[2], m[3], m[4], m[5], m[6]);
    }
    return null;
  }

  function pad(n) {
    return (n < 10 ? "0" : "") + n;
  }

  function format(value, kind) {
    var day = pad(value.getDate()) + "/" + pad(value.getMonth() + 1) + "/" + value.getFullYear();
    return kind === "date" ? day : day + " " + pad(value.getHours()) + ":" + pad(value.getMinutes());
  }

  function locale() {
    var l10ns = window.flatpickr && window.flatpickr.l10ns;
    if (text.lang === "vi" && l10ns && l10ns.vn) {
      return l10ns.vn;
    }
    return { firstDayOfWeek: 1 };
  }

  /* Mark the field after it is left: a floating message when the text is no date, nothing otherwise. */
  function check(input) {
    var kind = input.getAttribute("data-picker");
    var tip = input.parentNode.querySelector(".picker-error");
    var bad = parse(input.value, kind) === null;
    input.classList.toggle("is-invalid", bad || input.hasAttribute("data-server-error"));
    input.setAttribute("aria-invalid", bad ? "true" : "false");
    if (tip) {
      tip.textContent = bad ? text[kind] : "";
      tip.classList.toggle("d-block", bad);
    }
  }

  function overlaps(a, b) {
    return a.left < b.right && b.left < a.left + a.width && a.top < b.bottom && b.top < a.top + a.height;
  }

  /* Where the calendar opens: below the field as usual, unless it would cover the form's submit button (the click
     on "Lưu" would land on the calendar), then beside it, then above it; always inside the window when it can be. */
  function placer(group) {
    return function (instance) {
      var calendar = instance.calendarContainer;
      var field = group.getBoundingClientRect();
      var width = calendar.offsetWidth;
      var height = Array.prototype.reduce.call(calendar.children, function (sum, child) {
        return sum + child.offsetHeight;
      }, 0);
      var form = group.closest("form");
      var submits = form ? Array.prototype.map.call(form.querySelectorAll("[type=submit]"), function (button) {
        return button.getBoundingClientRect();
      }) : [];
      var spots = [
        { left: field.left, top: field.bottom + 2, arrow: "arrowTop" },
        { left: field.right + 8, top: field.top, arrow: "" },
        { left: field.left, top: field.top - height - 2, arrow: "arrowBottom" }
      ];
      var inWindow = function (spot) {
        return spot.left >= 0 && spot.top >= 0 && spot.left + width <= document.documentElement.clientWidth &&
          spot.top + height <= window.innerHeight;
      };
      var free = function (spot) {
        var box = { left: spot.left, top: spot.top, width: width, height: height };
        return !submits.some(function (rect) { return overlaps(box, rect); });
      };
      var chosen = spots.filter(function (spot) { return free(spot) && inWindow(spot); })[0] ||
        spots.filter(function (spot) { return free(spot) && spot.top + window.pageYOffset >= 0; })[0] || spots[0];
      calendar.classList.remove("arrowTop", "arrowBottom", "arrowLeft", "arrowRight", "arrowCenter", "rightMost");
      if (chosen.arrow) {
        calendar.classList.add(chosen.arrow, "arrowLeft");
      }
      calendar.style.left = chosen.left + window.pageXOffset + "px";
      calendar.style.top = chosen.top + window.pageYOffset + "px";
      calendar.style.right = "auto";
    };
  }

  function enhance(input) {
    if (input.hasAttribute("data-picker-ready") || !window.flatpickr) {
      return;
    }
    input.setAttribute("data-picker-ready", "1");
    var kind = input.getAttribute("data-picker") === "date" ? "date" : "datetime";

    var group = document.createElement("div");
    group.className = "input-group picker" + (input.classList.contains("form-control-sm") ? " input-group-sm" : "");
    input.parentNode.insertBefore(group, input);
    group.appendChild(input);
    if (input.classList.contains("is-invalid")) {
      input.setAttribute("data-server-error", "1"); // Flask-Admin's message follows the field: keep it shown
      var feedback = group.nextElementSibling;
      if (feedback && feedback.classList.contains("invalid-feedback")) {
        feedback.classList.add("d-block");
      }
    }
    var append = document.createElement("div");
    append.className = "input-group-append";
    var button = document.createElement("button");
    button.type = "button";
    button.className = "btn btn-outline-secondary picker-open";
    button.title = text.open;
    button.setAttribute("aria-label", text.open);
    button.setAttribute("data-picker-open", input.name || input.id || "");
    button.innerHTML = '<span class="fa fa-calendar" aria-hidden="true"></span>';
    append.appendChild(button);
    group.appendChild(append);
    var tip = document.createElement("div");
    tip.className = "invalid-tooltip picker-error";
    tip.setAttribute("role", "alert");
    group.appendChild(tip);
    var anchor = document.createElement("input");
    anchor.type = "hidden";
    group.appendChild(anchor);

    var calendar = window.flatpickr(anchor, {
      locale: locale(),
      enableTime: kind === "datetime",
      time_24hr: true,
      dateFormat: kind === "date" ? "d/m/Y" : "d/m/Y H:i",
      allowInput: false,
      clickOpens: false,
      disableMobile: true,
      positionElement: input,
      position: placer(group),
      defaultHour: 9,
      defaultMinute: 0,
      minuteIncrement: 5,
      animate: false,
      ignoredFocusElements: [button],
      onValueUpdate: function (dates) {
        if (!dates.length) {
          return;
        }
        input.value = format(dates[0], kind);
        input.dispatchEvent(new Event("input", { bubbles: true }));
        input.dispatchEvent(new Event("change", { bubbles: true }));
        check(input);
      }
    });
    anchor.classList.add("d-none"); // flatpickr turns a hidden input into a text one
    calendar.calendarContainer.classList.add("picker-calendar");
    calendar.calendarContainer.setAttribute("data-picker-for", input.name || input.id || "");

    button.addEventListener("click", function (event) {
      event.preventDefault();
      if (calendar.isOpen) {
        calendar.close();
        return;
      }
      var typed = parse(input.value, kind);
      if (typed) {
        calendar.setDate(typed, false); // shows the typed day; the field is not written
      } else {
        calendar.clear(false);
        calendar.jumpToDate(new Date());
      }
      calendar.open(undefined, input);
    });
    // Typing closes the calendar, so flatpickr's keyboard navigation never takes the field's keys.
    input.addEventListener("keydown", function (event) {
      if (event.altKey && event.key === "ArrowDown") {
        event.preventDefault();
        button.click();
      } else if (calendar.isOpen) {
        calendar.close();
      }
    });
    input.addEventListener("blur", function () {
      check(input);
    });
    input.addEventListener("change", function () {
      check(input);
    });
    input.addEventListener("input", function () {
      if (input.classList.contains("is-invalid") && parse(input.value, kind) !== null) {
        input.removeAttribute("data-server-error");
        check(input);
      }
    });
  }

  function enhanceAll(root) {
    var fields = (root || document).querySelectorAll("input[data-picker]");
    for (var i = 0; i < fields.length; i++) {
      enhance(fields[i]);
    }
  }

  // Fields added later (inline forms): enhanced when they are first focused.
  document.addEventListener("focusin", function (event) {
    var target = event.target;
    if (target && target.matches && target.matches("input[data-picker]")) {
      enhance(target);
    }
  });

  /* Flask-Admin's list filters: filters.js builds their inputs (named flt<N>_<arg>); those of our typed date filters
     (data_type "typed-date" / "typed-datetime", admin/fields.py) get the same picker, the ranges a placeholder. */
  function filterTypes() {
    var data = document.getElementById("filter-groups-data");
    var types = {};
    if (!data) {
      return null;
    }
    try {
      var groups = JSON.parse(data.textContent);
      Object.keys(groups).forEach(function (name) {
        groups[name].forEach(function (filter) {
          types[String(filter.arg)] = filter.type;
        });
      });
    } catch (error) {
      return null;
    }
    return types;
  }

  var RANGE_HINT = { "typed-date-range": "dd/mm/yyyy to dd/mm/yyyy",
    "typed-datetime-range": "dd/mm/yyyy hh:mm to dd/mm/yyyy hh:mm" };

  function pickFilters(types) {
    var inputs = document.querySelectorAll("input.filter-val:not([data-picker]):not([data-picker-seen])");
    for (var i = 0; i < inputs.length; i++) {
      var input = inputs[i];
      var match = /^flt\d+_(.+)$/.exec(input.name || "");
      var type = match ? types[match[1]] : null;
      input.setAttribute("data-picker-seen", "1");
      if (type === "typed-date" || type === "typed-datetime") {
        input.setAttribute("data-picker", type === "typed-date" ? "date" : "datetime");
        input.setAttribute("placeholder", type === "typed-date" ? "dd/mm/yyyy" : "dd/mm/yyyy hh:mm");
        input.setAttribute("autocomplete", "off");
        enhance(input);
      } else if (RANGE_HINT[type]) {
        input.setAttribute("placeholder", RANGE_HINT[type]);
      }
    }
  }

  // After the page's last scripts (the filter data and filters.js come after this script on list pages).
  function whenParsed() {
    enhanceAll(document);
    var types = filterTypes();
    if (types) {
      pickFilters(types);
      new MutationObserver(function () {
        pickFilters(types);
      }).observe(document.getElementById("filter_form") || document.body, { childList: true, subtree: true });
    }
  }

  window.cskhDatePicker = { parse: parse, format: format, enhanceAll: enhanceAll };
  enhanceAll(document);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", whenParsed);
  } else {
    whenParsed();
  }
})();
