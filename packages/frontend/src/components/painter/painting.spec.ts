import { describe, expect, it } from 'vitest';
import { BACKGROUND, exportDrawing, Painting, widthAt, type Context2D, type Point } from './painting';

/**
 * A 2D context that records what gets painted, one line per visible mark:
 * `fill #fff 0,0 1280x720`, `dot #e00 10,10 r5`, `line #e00 10,10-20,20 w10`, `rect …`, `ellipse …`.
 */
class Recorder implements Context2D {
  fillStyle: Context2D['fillStyle'] = '#000';
  strokeStyle: Context2D['strokeStyle'] = '#000';
  lineWidth = 1;
  lineCap: CanvasLineCap = 'butt';
  lineJoin: CanvasLineJoin = 'miter';
  marks: string[] = [];
  #path: string[] = [];

  fillRect(x: number, y: number, w: number, h: number): void {
    this.marks.push(`fill ${String(this.fillStyle)} ${x},${y} ${w}x${h}`);
  }
  strokeRect(x: number, y: number, w: number, h: number): void {
    this.marks.push(`rect ${String(this.strokeStyle)} ${x},${y} ${w}x${h} w${this.lineWidth}`);
  }
  beginPath(): void {
    this.#path = [];
  }
  moveTo(x: number, y: number): void {
    this.#path.push(`${x},${y}`);
  }
  lineTo(x: number, y: number): void {
    this.#path[this.#path.length - 1] += `-${x},${y}`;
  }
  arc(x: number, y: number, r: number): void {
    this.#path.push(`dot ${x},${y} r${r}`);
  }
  ellipse(x: number, y: number, rx: number, ry: number): void {
    this.#path.push(`ellipse ${x},${y} ${rx}x${ry}`);
  }
  stroke(): void {
    for (const part of this.#path) {
      const ellipse = /^ellipse (.*)$/.exec(part);
      const style = String(this.strokeStyle);
      this.marks.push(
        ellipse ? `ellipse ${style} ${ellipse[1]}` : `line ${style} ${part} w${Math.round(this.lineWidth * 100) / 100}`,
      );
    }
  }
  fill(): void {
    for (const part of this.#path) {
      this.marks.push(part.replace(/^dot /, `dot ${String(this.fillStyle)} `));
    }
  }
}

const at = (x: number, y: number, p = 0.5): Point => ({ x, y, p });

function draw(painting: Painting, ...points: Point[]): void {
  const [first, ...rest] = points;
  painting.begin(first ?? at(0, 0));
  for (const point of rest) {
    painting.move(point);
  }
  painting.end();
}

function rendered(painting: Painting): string[] {
  const ctx = new Recorder();
  painting.render(ctx);
  return ctx.marks;
}

const blank = `fill ${BACKGROUND} 0,0 1280x720`;

describe('Painting', () => {
  it('paints a brush stroke as a dot then one segment per move, in the chosen colour and size', () => {
    const painting = new Painting();
    painting.colour = '#e5484d';
    painting.size = 10;
    draw(painting, at(10, 10), at(20, 10), at(20, 30));
    expect(rendered(painting)).toEqual([
      blank,
      'dot #e5484d 10,10 r5',
      'line #e5484d 10,10-20,10 w10',
      'line #e5484d 20,10-20,30 w10',
    ]);
  });

  it('draws the newest segment alone while the pointer moves, the same mark render() makes', () => {
    const painting = new Painting();
    painting.begin(at(10, 10));
    expect(painting.move(at(40, 10))).toBe('segment');
    const ctx = new Recorder();
    painting.renderSegment(ctx);
    expect(ctx.marks).toEqual(['line #1f2328 10,10-40,10 w10']);
    expect(rendered(painting)).toContain(ctx.marks[0]);
    // The same point again adds nothing.
    expect(painting.move(at(40, 10))).toBe('none');
  });

  it('undo takes the last stroke away, redo brings it back, and a new stroke after an undo drops the redo', () => {
    const painting = new Painting();
    draw(painting, at(1, 1), at(2, 2));
    draw(painting, at(100, 100), at(200, 200));
    expect(painting.undo()).toBe(true);
    expect(rendered(painting).join('\n')).not.toContain('100,100');
    expect(painting.canRedo).toBe(true);
    expect(painting.redo()).toBe(true);
    expect(rendered(painting).join('\n')).toContain('100,100-200,200');

    painting.undo();
    draw(painting, at(300, 300), at(310, 310));
    expect(painting.canRedo).toBe(false);
    expect(painting.redo()).toBe(false);
    const marks = rendered(painting).join('\n');
    expect(marks).toContain('300,300-310,310');
    expect(marks).not.toContain('100,100');

    expect(painting.undo()).toBe(true);
    expect(painting.undo()).toBe(true);
    expect(painting.undo()).toBe(false);
    expect(rendered(painting)).toEqual([blank]);
  });

  it('the eraser paints the background colour over what is under it, after it, whatever colour is chosen', () => {
    const painting = new Painting();
    painting.colour = '#0090ff';
    draw(painting, at(10, 50), at(90, 50));
    painting.tool = 'eraser';
    draw(painting, at(50, 40), at(50, 60));
    expect(rendered(painting).slice(-2)).toEqual([`dot ${BACKGROUND} 50,40 r5`, `line ${BACKGROUND} 50,40-50,60 w10`]);
    // Back to the brush: the chosen colour again, and the erase undoes like a stroke.
    painting.tool = 'brush';
    draw(painting, at(5, 5), at(6, 6));
    expect(rendered(painting).at(-1)).toBe('line #0090ff 5,5-6,6 w10');
    painting.undo();
    painting.undo();
    expect(rendered(painting).join('\n')).not.toContain(BACKGROUND + ' 50,40');
  });

  it('clear leaves only the background, can be undone, and clearing a blank canvas adds nothing to undo', () => {
    const painting = new Painting();
    expect(painting.clear()).toBe(false);
    expect(painting.canUndo).toBe(false);
    draw(painting, at(10, 10), at(20, 20));
    expect(painting.clear()).toBe(true);
    expect(rendered(painting)).toEqual([blank]);
    expect(painting.isEmpty).toBe(true);
    // Drawing after a clear shows only the new stroke.
    draw(painting, at(30, 30), at(40, 40));
    expect(rendered(painting).join('\n')).not.toContain('10,10');
    painting.undo();
    painting.undo();
    expect(rendered(painting).join('\n')).toContain('10,10-20,20');
    expect(painting.isEmpty).toBe(false);
  });

  it('shapes preview while dragged (full repaint) and keep their box when dragged up and left', () => {
    const painting = new Painting();
    painting.size = 4;
    painting.tool = 'rect';
    expect(painting.begin(at(200, 150))).toBe('all');
    expect(painting.move(at(100, 100))).toBe('all');
    expect(rendered(painting).at(-1)).toBe('rect #1f2328 100,100 100x50 w4');
    painting.end();
    painting.tool = 'ellipse';
    draw(painting, at(0, 0), at(100, 50));
    painting.tool = 'line';
    draw(painting, at(5, 5), at(50, 60));
    expect(rendered(painting).slice(1)).toEqual([
      'rect #1f2328 100,100 100x50 w4',
      'ellipse #1f2328 50,25 50x25',
      'line #1f2328 5,5-50,60 w4',
    ]);
  });

  it('a pointer cancel drops the stroke in progress; points outside the canvas stick to its edge', () => {
    const painting = new Painting(100, 100);
    painting.begin(at(10, 10));
    painting.move(at(20, 20));
    expect(painting.cancel()).toBe('all');
    painting.end();
    expect(painting.canUndo).toBe(false);
    draw(painting, at(-5, 50), at(150, 50));
    expect(rendered(painting).at(-1)).toBe('line #1f2328 0,50-100,50 w10');
  });

  it('a pen draws thinner when light and thicker when pressed; a mouse (0.5) or no pressure draws the size', () => {
    expect(widthAt(10, 0.5)).toBe(10);
    expect(widthAt(10, 0)).toBe(10);
    expect(widthAt(10, 0.1)).toBeLessThan(5);
    expect(widthAt(10, 1)).toBeGreaterThan(15);
    const painting = new Painting();
    draw(painting, at(0, 0, 0.1), at(10, 0, 0.1), at(20, 0, 1));
    expect(rendered(painting).slice(2)).toEqual(['line #1f2328 0,0-10,0 w4', 'line #1f2328 10,0-20,0 w10.75']);
  });
});

describe('exportDrawing', () => {
  const canvasGiving = (blob: Blob | null, asked: string[] = []) => ({
    toBlob(callback: (blob: Blob | null) => void, type?: string) {
      asked.push(type ?? '');
      callback(blob);
    },
  });

  it('gives a file named and typed after what the browser encoded', async () => {
    const asked: string[] = [];
    const webp = await exportDrawing(canvasGiving(new Blob(['x'], { type: 'image/webp' }), asked), 'image/webp');
    expect(asked).toEqual(['image/webp']);
    expect([webp.name, webp.type, webp.size]).toEqual(['drawing.webp', 'image/webp', 1]);
    // A browser without a WebP encoder answers PNG: the name follows.
    const png = await exportDrawing(canvasGiving(new Blob(['xy'], { type: 'image/png' })), 'image/webp');
    expect([png.name, png.type]).toEqual(['drawing.png', 'image/png']);
  });

  it('fails with a readable error when the canvas gives nothing (too large, or tainted)', async () => {
    await expect(exportDrawing(canvasGiving(null))).rejects.toThrow('could not be turned into an image');
  });
});
