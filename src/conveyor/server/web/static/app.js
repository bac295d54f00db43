/* Conveyor's own script: small progressive enhancements; the pages work without it. */
"use strict";
