import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { composer, sendMessage, signUpInBrowser, useTwoUsers } from './browser';

/**
 * Two people use the real production build in Chromium (runs inside `unshare -n`, see scripts/test.sh).
 * The steps build on each other, like a real conversation.
 */
describe('the web app, two users in Chromium', () => {
  const web = useTwoUsers('web', { signUp: false });
  const { alice, bob } = web;
  let teamRoomId = 0;

  function message(page: Page, text: string) {
    return page.locator('main article.msg', { hasText: text });
  }

  it('signs both users up and shows the "all" room with both online', async () => {
    await signUpInBrowser(web.instance.url, alice);
    await signUpInBrowser(web.instance.url, bob);
    await expect.poll(() => alice.page.locator('main .subtitle').textContent()).toContain('2 online');
  });

  it('creates a channel and invites the other user, who sees it appear', async () => {
    await alice.page.getByRole('link', { name: '+ Channel' }).click();
    await alice.page.getByLabel('Channel name').fill('team');
    await alice.page.getByRole('button', { name: 'Create channel' }).click();
    await alice.page.waitForURL(/\/chat\/\d+$/);
    teamRoomId = Number(/\/chat\/(\d+)$/.exec(alice.page.url())?.[1]);
    expect(teamRoomId).toBeGreaterThan(1);

    await alice.page.goto(`${web.instance.url}/room/${teamRoomId}/settings`);
    await alice.page.getByPlaceholder('Search by name').last().fill(bob.name);
    await alice.page.getByLabel(bob.name).check();
    await alice.page.getByRole('button', { name: /^Invite/ }).click();
    await expect.poll(() => alice.page.getByText(bob.name).count()).toBeGreaterThan(0);

    const link = bob.page.locator(`nav a[data-room-id="${teamRoomId}"]`);
    await link.waitFor();
    await link.click();
    await bob.page.waitForURL(new RegExp(`/chat/${teamRoomId}$`));
    await alice.page.goto(`${web.instance.url}/chat/${teamRoomId}`);
  });

  it('chats both ways, with typing, unread counts and read receipts', async () => {
    await sendMessage(alice.page, 'hello team');
    await message(bob.page, 'hello team').waitFor();

    await composer(bob.page).pressSequentially('hi al', { delay: 20 });
    await alice.page.getByText(`${bob.name} is typing`).waitFor();
    await composer(bob.page).fill('hi alice');
    await composer(bob.page).press('Enter');
    await message(alice.page, 'hi alice').waitFor();
    // Bob has the room open and at the bottom, so Alice's message shows as seen by him.
    await message(alice.page, 'hello team').getByText(`Seen by ${bob.name}`).waitFor();

    // Bob looks at the "all" room while Alice writes in the team room: his room list counts it.
    const teamLink = bob.page.locator(`nav a[data-room-id="${teamRoomId}"]`);
    await bob.page.locator('nav a[data-room-id="1"]').click();
    await bob.page.waitForURL(/\/chat\/1$/);
    await sendMessage(alice.page, 'are you there?');
    await teamLink.getByLabel('1 unread').waitFor();
    expect(await teamLink.locator('.badge').textContent()).toBe('1');
    await teamLink.click();
    await bob.page.waitForURL(new RegExp(`/chat/${teamRoomId}$`));
    await message(bob.page, 'are you there?').waitFor();
    // Opening the room reads it: the badge goes.
    await expect.poll(() => teamLink.locator('.badge').count()).toBe(0);
  });

  it('edits with ↑ and deletes from the message menu, and the other side follows', async () => {
    await sendMessage(alice.page, 'typo mesage');
    await message(bob.page, 'typo mesage').waitFor();
    // ↑ edits my newest message once the server has confirmed it (it has an id then).
    await alice.page.locator('main article.msg[data-message-id]', { hasText: 'typo mesage' }).waitFor();
    await composer(alice.page).press('ArrowUp');
    await expect.poll(() => composer(alice.page).inputValue()).toBe('typo mesage');
    await composer(alice.page).fill('fixed message');
    await composer(alice.page).press('Enter');
    await message(bob.page, 'fixed message').getByText('(edited)').waitFor();

    const target = message(alice.page, 'fixed message');
    await target.hover();
    await target.getByRole('button', { name: 'Delete message' }).click();
    await bob.page.locator('main article.msg.deleted', { hasText: 'This message was deleted.' }).waitFor();
    expect(await message(bob.page, 'fixed message').count()).toBe(0);
  });

  it('replies in a thread, and the reply count shows on the parent', async () => {
    const parent = message(bob.page, 'hello team');
    await parent.hover();
    await parent.getByRole('button', { name: 'Reply in thread' }).click();
    const thread = bob.page.locator('aside.thread');
    await thread.waitFor();
    await thread.locator('textarea').fill('a reply in the thread');
    await thread.locator('textarea').press('Enter');
    await thread.getByText('a reply in the thread').waitFor();
    await message(alice.page, 'hello team').getByRole('button', { name: '1 reply' }).waitFor();
    // Replies stay out of the main timeline.
    expect(await message(alice.page, 'a reply in the thread').count()).toBe(0);
  });

  it('mentions a member through the @ picker, highlighted for them', async () => {
    await composer(alice.page).pressSequentially(`ping @${bob.name.slice(0, 3)}`, { delay: 20 });
    await alice.page.getByRole('option', { name: `@${bob.name}` }).waitFor();
    await composer(alice.page).press('Enter');
    await composer(alice.page).pressSequentially('please look', { delay: 10 });
    await composer(alice.page).press('Enter');
    const mention = message(bob.page, 'please look').locator('.mention.me');
    await mention.waitFor();
    expect(await mention.textContent()).toBe(`@${bob.name}`);
  });

  it('renders hostile content as text', async () => {
    await sendMessage(alice.page, '<img src=x onerror="window.__xss=1"> <script>window.__xss=2</script>');
    await message(bob.page, '<img src=x').waitFor();
    expect(await bob.page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect(await message(bob.page, '<img src=x').locator('img, script').count()).toBe(0);
  });

  it('reloads without network and still shows the rooms and their history', async () => {
    await bob.page.evaluate(async () => {
      await navigator.serviceWorker.ready;
    });
    await expect.poll(() => bob.page.evaluate(() => !!navigator.serviceWorker.controller)).toBe(true);
    await bob.context.setOffline(true);
    await bob.page.reload();
    await message(bob.page, 'hello team').waitFor();
    await message(bob.page, 'hi alice').waitFor();
    await bob.page.locator(`nav a[data-room-id="${teamRoomId}"]`).waitFor();
    await bob.page.getByText('You are offline').waitFor();
  });

  it('queues a message written offline, keeps it across a reload, and sends it exactly once on reconnect', async () => {
    await sendMessage(bob.page, 'written while offline');
    await message(bob.page, 'written while offline').getByText('Sending…').waitFor();
    await bob.page.reload();
    await message(bob.page, 'written while offline').waitFor();
    expect(await message(alice.page, 'written while offline').count()).toBe(0);

    await bob.context.setOffline(false);
    await message(alice.page, 'written while offline').waitFor({ timeout: 40_000 });
    await expect
      .poll(() => message(bob.page, 'written while offline').getByText('Sending…').count(), { timeout: 20_000 })
      .toBe(0);
    await alice.page.waitForTimeout(1_000);
    expect(await message(alice.page, 'written while offline').count()).toBe(1);
    await alice.page.reload();
    await message(alice.page, 'written while offline').waitFor();
    expect(await message(alice.page, 'written while offline').count()).toBe(1);
  });
});
