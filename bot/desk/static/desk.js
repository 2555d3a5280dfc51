// The board keeps itself current: the server pushes the new board (server-sent events).
(function () {
  "use strict";
  var board = document.getElementById("board");
  if (!board || !window.EventSource) { return; }
  var source = new EventSource("/desk/events");
  source.addEventListener("board", function (e) { board.innerHTML = e.data; });
  source.addEventListener("logout", function () { window.location = "/desk/login"; });
})();
