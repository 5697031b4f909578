/**
 * jsdom does no layout: every element measures 0×0. The history's virtualiser sizes its window from
 * the scroll element's clientHeight/clientWidth (@tanstack/virtual-core 3.14 reads those in
 * getRect; older versions used getBoundingClientRect, stubbed too so an upgrade does not silently
 * render zero rows), so without a size it would render no rows at all. This gives the history
 * scroller the size it has in a 1280×800 window; everything else keeps jsdom's zero.
 * For component tests only.
 */
import { vi } from 'vitest';

export const SCROLLER_HEIGHT = 520;
export const SCROLLER_WIDTH = 1000;

const isScroller = (el: Element) => el.classList.contains('history-scroll');

/** Installs the size stubs (vi.restoreAllMocks() removes them). */
export function stubHistoryLayout(): void {
  const height = Object.getOwnPropertyDescriptor(Element.prototype, 'clientHeight')!.get!;
  const width = Object.getOwnPropertyDescriptor(Element.prototype, 'clientWidth')!.get!;
  const rect = Element.prototype.getBoundingClientRect;
  vi.spyOn(Element.prototype, 'clientHeight', 'get').mockImplementation(function (this: Element) {
    return isScroller(this) ? SCROLLER_HEIGHT : height.call(this);
  });
  vi.spyOn(Element.prototype, 'clientWidth', 'get').mockImplementation(function (this: Element) {
    return isScroller(this) ? SCROLLER_WIDTH : width.call(this);
  });
  vi.spyOn(Element.prototype, 'getBoundingClientRect').mockImplementation(function (this: Element) {
    return isScroller(this) ? DOMRect.fromRect({ x: 0, y: 0, width: SCROLLER_WIDTH, height: SCROLLER_HEIGHT }) : rect.call(this);
  });
}
