/** A compact emoji set, stored and sent as unicode (no image sprites to download or cache). */
export const EMOJI_GROUPS: { name: string; emoji: string[] }[] = [
  {
    name: 'Smileys',
    emoji:
      '😀 😃 😄 😁 😆 😅 🤣 😂 🙂 🙃 😉 😊 😇 🥰 😍 🤩 😘 😋 😛 😜 🤪 😝 🤑 🤗 🤭 🤫 🤔 🤐 🤨 😐 😑 😶 😏 😒 🙄 😬 😌 😔 😪 😴 😷 🤒 🤕 🤢 🤧 🥵 🥶 😵 🤯 🤠 🥳 😎 🤓 🧐 😕 😟 🙁 😮 😯 😲 😳 🥺 😦 😧 😨 😰 😥 😢 😭 😱 😖 😣 😞 😓 😩 😫 🥱 😤 😡 😠 🤬'.split(
        ' ',
      ),
  },
  {
    name: 'Gestures',
    emoji: '👍 👎 👌 ✌️ 🤞 🤟 🤘 🤙 👈 👉 👆 👇 ☝️ ✋ 🤚 🖐️ 🖖 👋 🤝 🙏 👏 🙌 👐 🤲 💪 ✍️ 👀 🧠'.split(' '),
  },
  {
    name: 'Hearts',
    emoji: '❤️ 🧡 💛 💚 💙 💜 🖤 🤍 🤎 💔 ❣️ 💕 💞 💓 💗 💖 💘 💝'.split(' '),
  },
  {
    name: 'Objects',
    emoji: '🎉 🎊 🎁 🏆 ⭐ 🌟 🔥 💯 ✅ ❌ ⚠️ ❓ ❗ 💡 📌 📎 🔗 📅 ⏰ ☕ 🍕 🍺 🚀 💻 🐛 🔧 📦 📝 📈 🔒'.split(' '),
  },
];
